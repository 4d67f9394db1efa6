// SQL for pinned messages: newest first, a bounded number per chat.
import type { Knex } from '@chat/kit';
import { MAX_PINS } from '@chat/kit/contract';

type Db = Knex | Knex.Transaction;

/** Each chat's pinned message ids, newest first. */
export async function pinsOf(db: Db, chatIds: string[]): Promise<Map<string, string[]>> {
  const byChat = new Map<string, string[]>();
  if (chatIds.length === 0) return byChat;
  const rows: { chat_id: string; message_id: string }[] = await db('pins')
    .whereIn('chat_id', chatIds)
    .orderBy([{ column: 'chat_id' }, { column: 'position', order: 'desc' }])
    .select('chat_id', 'message_id');
  for (const r of rows) {
    const list = byChat.get(r.chat_id) ?? [];
    if (list.length < MAX_PINS) list.push(r.message_id);
    byChat.set(r.chat_id, list);
  }
  return byChat;
}

export async function countPins(trx: Knex.Transaction, chatId: string): Promise<number> {
  const row = await trx('pins').where({ chat_id: chatId }).count<{ count: string }>('* as count').first();
  return Number(row?.count ?? 0);
}

/** Pins the message; false when it was pinned already. */
export async function insertPin(trx: Knex.Transaction, chatId: string, messageId: string, userId: string) {
  const rows = await trx('pins')
    .insert({ chat_id: chatId, message_id: messageId, pinned_by: userId })
    .onConflict(['chat_id', 'message_id'])
    .ignore()
    .returning('message_id');
  return rows.length > 0;
}

/** Unpins the message; false when it was not pinned. */
export async function deletePin(trx: Knex.Transaction, chatId: string, messageId: string) {
  return (await trx('pins').where({ chat_id: chatId, message_id: messageId }).delete()) > 0;
}
