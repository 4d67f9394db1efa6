// A member read up to a seq: queued for the receipts worker, which persists cursors in batches and announces them.
import { lastSeqOf } from '../../db/chats.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { clearMarkedUnread } from './memberState.ts';

export type MarkReadProps = { chatId: string; userId: string; seq: number };

export async function markRead(
  deps: Pick<ChatHistoryDeps, 'db' | 'receipts' | 'events'>,
  { chatId, userId, seq }: MarkReadProps,
): Promise<void> {
  const { db, receipts } = deps;
  const { readSeq, markedUnread } = await requireMember(db, chatId, userId);
  // reading ends "marked as unread" at once, whether or not the cursor moves (the worker clears it too)
  if (markedUnread) await clearMarkedUnread(deps, { chatId, userId });
  const upTo = Math.min(seq, await lastSeqOf(db, chatId));
  // a cursor only moves forward: anything else changes nothing and needs no job
  if (upTo <= readSeq) return;
  await receipts.enqueue({ chatId, userId, seq: upTo });
}
