// The owner of a group renames it; every member sees the new title live, and a client that was away replays it.
import { BadRequest, Forbidden } from '@chat/kit';
import type { Chat } from '@chat/kit/contract';
import { chatKindOf, renameChat as writeTitle } from '../../db/chats.ts';
import { noSuchChat, requireMember, viewsByMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type RenameChatProps = {
  chatId: string;
  /** Who asks: must be the group's owner. */
  userId: string;
  /** Already validated and trimmed. */
  title: string;
};

export async function renameChat(
  deps: Pick<ChatHistoryDeps, 'db' | 'events'>,
  { chatId, userId, title }: RenameChatProps,
): Promise<Chat> {
  const { role } = await requireMember(deps.db, chatId, userId);
  if ((await chatKindOf(deps.db, chatId)) === 'direct') {
    throw new BadRequest('A direct chat has no title', [{ path: 'title', message: 'only groups have a title' }]);
  }
  if (role !== 'owner') throw new Forbidden('Only the owner of the group renames it');
  const rev = await inChangeTransaction(deps, async (tx) => {
    await writeTitle(tx.trx, chatId, title);
    return tx.record({ chatId, kind: 'chat.updated' });
  });
  const views = await viewsByMember(deps.db, chatId);
  await deps.events.chatChanged(chatId, rev, views);
  const chat = views.get(userId);
  if (!chat) throw noSuchChat();
  return chat;
}
