// SQL for reactions: one row per (message, emoji, user); a message's reactions in first-use order.
import type { Knex } from '@chat/kit';
import type { Reaction } from '@chat/kit/contract';

type Db = Knex | Knex.Transaction;

/** Each message's reactions: emoji in the order they were first used, users in the order they reacted. */
export async function reactionsOf(db: Db, messageIds: string[]): Promise<Map<string, Reaction[]>> {
  const byMessage = new Map<string, Reaction[]>();
  if (messageIds.length === 0) return byMessage;
  const rows: { message_id: string; emoji: string; user_ids: string[] }[] = await db('reactions')
    .whereIn('message_id', messageIds)
    .groupBy('message_id', 'emoji')
    .select('message_id', 'emoji', db.raw('array_agg(user_id::text order by position) as user_ids'))
    .orderByRaw('message_id, min(position)');
  for (const r of rows) {
    const list = byMessage.get(r.message_id) ?? [];
    list.push({ emoji: r.emoji, userIds: r.user_ids });
    byMessage.set(r.message_id, list);
  }
  return byMessage;
}

/** Adds the user's reaction; false when it was already there. */
export async function insertReaction(trx: Knex.Transaction, messageId: string, emoji: string, userId: string) {
  const rows = await trx('reactions')
    .insert({ message_id: messageId, emoji, user_id: userId })
    .onConflict(['message_id', 'emoji', 'user_id'])
    .ignore()
    .returning('emoji');
  return rows.length > 0;
}

/** Removes the user's reaction; false when there was none. */
export async function deleteReaction(trx: Knex.Transaction, messageId: string, emoji: string, userId: string) {
  return (await trx('reactions').where({ message_id: messageId, emoji, user_id: userId }).delete()) > 0;
}

/** How many distinct emoji the message has, and whether this one is among them. */
export async function emojiCountOf(trx: Knex.Transaction, messageId: string, emoji: string) {
  const row = await trx('reactions')
    .where({ message_id: messageId })
    .first<{ distinct: string; has: boolean }>(
      trx.raw('count(distinct emoji) as distinct'),
      trx.raw('bool_or(emoji = ?) as has', [emoji]),
    );
  return { distinct: Number(row?.distinct ?? 0), has: row?.has === true };
}
