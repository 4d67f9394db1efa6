// A page of a chat's history for a member, ascending by seq.
import type { Message } from '@chat/kit/contract';
import { type PageQuery, readPage } from '../../db/messages.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type ReadHistoryProps = {
  chatId: string;
  userId: string;
  /** `after`: the first `limit` messages past that seq (catch-up); `before`: the last `limit` before it (scroll
   * back); neither: the newest page. */
  page: PageQuery;
};

export async function readHistory(
  { db }: Pick<ChatHistoryDeps, 'db'>,
  { chatId, userId, page }: ReadHistoryProps,
): Promise<Message[]> {
  await requireMember(db, chatId, userId);
  return readPage(db, chatId, page);
}
