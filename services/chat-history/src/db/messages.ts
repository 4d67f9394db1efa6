// SQL for messages: the per-chat sequence, inserts, edits and keyset pages over unique(chat_id, seq).
import type { Knex } from '@chat/kit';
import type { Message } from '@chat/kit/contract';

export type MessageRow = {
  id: string;
  chat_id: string;
  seq: string | number;
  sender_id: string;
  client_id: string;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    chatId: row.chat_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    clientId: row.client_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    editedAt: iso(row.edited_at),
    deletedAt: iso(row.deleted_at),
  };
}

export async function findMessageByClientId(db: Knex, chatId: string, clientId: string): Promise<Message | undefined> {
  const row = await db<MessageRow>('messages').where({ chat_id: chatId, client_id: clientId }).first();
  return row && toMessage(row);
}

/** Locks the chat row until the transaction ends (serializing senders of one chat) and returns the next seq. */
export async function takeNextSeq(trx: Knex.Transaction, chatId: string): Promise<number> {
  const [row] = await trx('chats')
    .where({ id: chatId })
    .update({ last_seq: trx.raw('last_seq + 1'), last_activity_at: trx.fn.now() })
    .returning<{ last_seq: string }[]>('last_seq');
  if (!row) throw new Error(`chat ${chatId} vanished while sending`);
  return Number(row.last_seq);
}

export type NewMessage = { chatId: string; seq: number; senderId: string; clientId: string; body: string };

export async function insertMessage(trx: Knex.Transaction, m: NewMessage): Promise<Message> {
  const [row] = await trx('messages')
    .insert({ chat_id: m.chatId, seq: m.seq, sender_id: m.senderId, client_id: m.clientId, body: m.body })
    .returning<MessageRow[]>('*');
  return toMessage(row as MessageRow);
}

/** True for the unique violation of (chat_id, client_id): a concurrent send with the same clientId won. */
export function isDuplicateClientId(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && Boolean(e.constraint?.includes('client_id'));
}

/** The message, locked for an edit or delete in the same transaction. */
export async function lockMessage(trx: Knex.Transaction, chatId: string, messageId: string) {
  return trx<MessageRow>('messages').where({ id: messageId, chat_id: chatId }).forUpdate().first();
}

export async function updateMessage(
  trx: Knex.Transaction,
  messageId: string,
  change: { body: string; edited?: true; deleted?: true },
): Promise<Message> {
  const [row] = await trx('messages')
    .where({ id: messageId })
    .update({
      body: change.body,
      ...(change.edited ? { edited_at: trx.fn.now() } : {}),
      ...(change.deleted ? { deleted_at: trx.fn.now() } : {}),
    })
    .returning<MessageRow[]>('*');
  return toMessage(row as MessageRow);
}

export type PageQuery = { before?: number; after?: number; limit: number };

/**
 * One page of a chat's history as a keyset range on (chat_id, seq): `after` walks forward from a seq, `before` (or
 * neither: the newest page) walks back and the caller reverses it.
 */
export function pageQuery(db: Knex, chatId: string, { before, after, limit }: PageQuery) {
  const query = db<MessageRow>('messages').where({ chat_id: chatId });
  if (after !== undefined) query.where('seq', '>', after);
  if (before !== undefined) query.where('seq', '<', before);
  return query.orderBy('seq', after !== undefined ? 'asc' : 'desc').limit(limit);
}

/** A page of history in ascending seq order. */
export async function readPage(db: Knex, chatId: string, page: PageQuery): Promise<Message[]> {
  const rows: MessageRow[] = await pageQuery(db, chatId, page);
  if (page.after === undefined) rows.reverse();
  return rows.map(toMessage);
}
