// One batched, idempotent write of read cursors: the highest seq per (chat, user), moved only forward.
import type { Knex } from '@chat/kit';
import type { Read } from './queue.ts';

export type Advanced = { chatId: string; userId: string; readSeq: number };

/** Keeps the highest seq per (chat, user). */
export function coalesce(reads: Pick<Read, 'chatId' | 'userId' | 'seq'>[]): Map<string, Advanced> {
  const highest = new Map<string, Advanced>();
  for (const { chatId, userId, seq } of reads) {
    const key = `${chatId}:${userId}`;
    const known = highest.get(key);
    if (!known || seq > known.readSeq) highest.set(key, { chatId, userId, readSeq: seq });
  }
  return highest;
}

/**
 * Writes every cursor in one statement; GREATEST keeps cursors from moving back, the join with chats clamps to the
 * chat's last seq, and only rows that actually moved come back (those are the receipts to announce).
 */
export async function advanceReadCursors(db: Knex, cursors: Advanced[]): Promise<Advanced[]> {
  if (cursors.length === 0) return [];
  const values = cursors.map(() => '(?::uuid, ?::uuid, ?::bigint)').join(', ');
  const bindings = cursors.flatMap((c) => [c.chatId, c.userId, c.readSeq]);
  const { rows } = await db.raw<{ rows: { chat_id: string; user_id: string; read_seq: string }[] }>(
    `update chat.members m
        set read_seq = greatest(m.read_seq, least(v.seq, c.last_seq)), marked_unread = false
       from (values ${values}) as v(chat_id, user_id, seq)
       join chat.chats c on c.id = v.chat_id
      where m.chat_id = v.chat_id and m.user_id = v.user_id and m.read_seq < least(v.seq, c.last_seq)
  returning m.chat_id, m.user_id, m.read_seq`,
    bindings,
  );
  return rows.map((r) => ({ chatId: r.chat_id, userId: r.user_id, readSeq: Number(r.read_seq) }));
}
