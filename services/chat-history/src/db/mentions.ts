// SQL for the mention index: one row per mentioned member of a message (user_id null for @all), kept only while the
// message mentions them, so a member's unread mentions are counted without walking their unread messages.
import type { Knex } from '@chat/kit';
import { MENTION_ALL } from '@chat/kit/contract';

/** Replaces the message's mention rows with `mentions` (member ids, and 'all'). */
export async function indexMentions(trx: Knex.Transaction, chatId: string, seq: number, mentions: string[]) {
  await trx('mentions').where({ chat_id: chatId, seq }).delete();
  if (mentions.length === 0) return;
  await trx('mentions').insert(mentions.map((m) => ({ chat_id: chatId, seq, user_id: m === MENTION_ALL ? null : m })));
}
