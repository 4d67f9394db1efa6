// A member's own state of a chat: how much they are notified of, and "mark as unread". Nobody else sees it; the
// member's other tabs and devices get their new view at once.
import type { Chat, NotifyLevel } from '@chat/kit/contract';
import { updateMemberState } from '../../db/members.ts';
import { noSuchChat } from '../access.ts';
import { getChat } from '../chats/getChat.ts';
import type { ChatHistoryDeps } from '../deps.ts';

type Deps = Pick<ChatHistoryDeps, 'db' | 'events'>;

async function changeState(
  deps: Deps,
  chatId: string,
  userId: string,
  state: { notify?: NotifyLevel; markedUnread?: boolean },
): Promise<Chat> {
  if (!(await updateMemberState(deps.db, chatId, userId, state))) throw noSuchChat();
  const chat = await getChat(deps, { chatId, userId });
  await deps.events.chatState(userId, chat);
  return chat;
}

export const setNotifyLevel = (deps: Deps, p: { chatId: string; userId: string; notify: NotifyLevel }) =>
  changeState(deps, p.chatId, p.userId, { notify: p.notify });

/** Marks the chat unread for the member until their next read; the read cursor stays, and no receipt goes out. */
export const markUnread = (deps: Deps, p: { chatId: string; userId: string }) =>
  changeState(deps, p.chatId, p.userId, { markedUnread: true });

/** A read that moves nothing still ends "marked as unread". */
export const clearMarkedUnread = (deps: Deps, p: { chatId: string; userId: string }) =>
  changeState(deps, p.chatId, p.userId, { markedUnread: false });
