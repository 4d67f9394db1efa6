// A user's chats, newest activity first, each as that user sees it.
import type { Chat } from '@chat/kit/contract';
import { chatViews } from '../../db/chats.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export async function listChats({ db }: Pick<ChatHistoryDeps, 'db'>, { userId }: { userId: string }): Promise<Chat[]> {
  return (await chatViews(db, { viewerId: userId })).map((v) => v.chat);
}
