// A member read up to a seq: queued for the receipts worker, which persists cursors in batches and announces them.
import { lastSeqOf } from '../../db/chats.ts';
import { enqueueRead } from '../../receipts/queue.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type MarkReadProps = { chatId: string; userId: string; seq: number };

export async function markRead(
  { db, receipts }: Pick<ChatHistoryDeps, 'db' | 'receipts'>,
  { chatId, userId, seq }: MarkReadProps,
): Promise<void> {
  const { readSeq } = await requireMember(db, chatId, userId);
  const upTo = Math.min(seq, await lastSeqOf(db, chatId));
  // a cursor only moves forward: anything else changes nothing and needs no job
  if (upTo <= readSeq) return;
  await enqueueRead(receipts, { chatId, userId, seq: upTo });
}
