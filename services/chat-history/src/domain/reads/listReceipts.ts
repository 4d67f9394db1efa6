// How far each member of a chat has read.
import { readCursorsOf } from '../../db/members.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export async function listReceipts(
  { db }: Pick<ChatHistoryDeps, 'db'>,
  { chatId, userId }: { chatId: string; userId: string },
): Promise<{ userId: string; readSeq: number }[]> {
  await requireMember(db, chatId, userId);
  return readCursorsOf(db, chatId);
}
