// Who is pushed a message: members other than the sender whose level covers it (all; mentions when it names them or
// everyone), with their subscriptions, and what the push says.
import type { Knex } from '@chat/kit';
import { MENTION_PATTERN, type PushPayload } from '@chat/kit/contract';
import type { PushSubscriptionRow } from '../db/pushSubscriptions.ts';

type Target = { subscriptions: PushSubscriptionRow[]; payload: PushPayload };

const PREVIEW = 200;

/** Of these chats, the ones where some member has a push subscription (nobody else can be pushed anything). */
export async function chatsWithSubscribers(db: Knex, chatIds: string[]): Promise<Set<string>> {
  const rows: { chat_id: string }[] = await db('members as mb')
    .whereIn('mb.chat_id', chatIds)
    .whereExists((q) => q.select(db.raw('1')).from('push_subscriptions as s').whereRaw('s.user_id = mb.user_id'))
    .distinct('mb.chat_id');
  return new Set(rows.map((r) => r.chat_id));
}

export async function pushTargetsOf(db: Knex, chatId: string, messageId: string): Promise<Target | undefined> {
  const message = await db('messages as m')
    .join('chats as c', 'c.id', 'm.chat_id')
    .leftJoin('profiles as p', 'p.user_id', 'm.sender_id')
    .where({ 'm.id': messageId, 'm.chat_id': chatId })
    .whereNull('m.deleted_at')
    .first<
      | {
          id: string;
          seq: string;
          sender_id: string;
          body: string;
          mentions: string[];
          kind: string;
          title: string | null;
          sender: string | null;
        }
      | undefined
    >('m.id', 'm.seq', 'm.sender_id', 'm.body', 'm.mentions', 'c.kind', 'c.title', 'p.display_name as sender');
  if (!message) return undefined;
  const subscriptions: PushSubscriptionRow[] = await db('members as mb')
    .join('push_subscriptions as s', 's.user_id', 'mb.user_id')
    .join('chats as c', 'c.id', 'mb.chat_id')
    .where('mb.chat_id', chatId)
    .whereNot('mb.user_id', message.sender_id)
    .whereRaw(
      `case coalesce(mb.notify, case c.kind when 'direct' then 'all' else 'mentions' end)
         when 'all' then true
         when 'mentions' then (mb.user_id::text = any(?::text[]) or 'all' = any(?::text[]))
         else false end`,
      [message.mentions, message.mentions],
    )
    .select('s.id', 's.user_id', 's.endpoint', 's.p256dh', 's.auth');
  const sender = message.sender ?? '';
  const plain = message.body.replace(MENTION_PATTERN, (_, name: string) => `@${name}`);
  return {
    subscriptions,
    payload: {
      chatId,
      messageId,
      seq: Number(message.seq),
      title: message.kind === 'group' && message.title ? `${sender} · ${message.title}` : sender,
      body: plain.length > PREVIEW ? `${plain.slice(0, PREVIEW - 1)}…` : plain,
    },
  };
}
