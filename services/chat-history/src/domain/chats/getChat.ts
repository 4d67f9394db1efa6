// One chat as a member sees it.
import type { Chat } from '@chat/kit/contract';
import { chatViews } from '../../db/chats.ts';
import { noSuchChat } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export async function getChat(
  { db }: Pick<ChatHistoryDeps, 'db'>,
  { chatId, userId }: { chatId: string; userId: string },
): Promise<Chat> {
  const [view] = await chatViews(db, { viewerId: userId, chatId });
  if (!view) throw noSuchChat();
  return view.chat;
}
