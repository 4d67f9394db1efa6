// SQL for Web Push subscriptions: a few per user (one per browser), the oldest dropped past the limit.
import type { Knex } from '@chat/kit';
import { MAX_PUSH_SUBSCRIPTIONS } from '@chat/kit/contract';

export type PushSubscriptionRow = { id: string; user_id: string; endpoint: string; p256dh: string; auth: string };

/** Adds or takes over the endpoint for the user, and drops their oldest beyond the limit. */
export async function savePushSubscription(
  db: Knex,
  s: { userId: string; endpoint: string; p256dh: string; auth: string },
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('push_subscriptions')
      .insert({ user_id: s.userId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth })
      .onConflict('endpoint')
      .merge({ user_id: s.userId, p256dh: s.p256dh, auth: s.auth, created_at: trx.fn.now() });
    await trx('push_subscriptions')
      .where({ user_id: s.userId })
      .whereNotIn(
        'id',
        trx('push_subscriptions')
          .where({ user_id: s.userId })
          .orderBy([
            { column: 'created_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(MAX_PUSH_SUBSCRIPTIONS)
          .select('id'),
      )
      .delete();
  });
}

export async function deletePushSubscription(db: Knex, userId: string, endpoint: string): Promise<void> {
  await db('push_subscriptions').where({ user_id: userId, endpoint }).delete();
}

export async function deletePushSubscriptionById(db: Knex, id: string): Promise<void> {
  await db('push_subscriptions').where({ id }).delete();
}

export async function subscriptionsOf(db: Knex, userIds: string[]): Promise<PushSubscriptionRow[]> {
  if (userIds.length === 0) return [];
  return db('push_subscriptions').whereIn('user_id', userIds).select('id', 'user_id', 'endpoint', 'p256dh', 'auth');
}

export async function subscriptionById(db: Knex, id: string): Promise<PushSubscriptionRow | undefined> {
  return db('push_subscriptions').where({ id }).first('id', 'user_id', 'endpoint', 'p256dh', 'auth');
}
