// What the user does to chats: start one, rename a group, add or remove members, leave. Each answer that is a chat
// view goes through the sync engine; a failure becomes a notice.
import type { Chat } from '@chat/kit/contract';
import { openChat } from './chatList.svelte.ts';
import { attempt } from './notices.svelte.ts';
import { api, session } from './session.svelte.ts';
import { receiveChat, removeChat } from './sync.svelte.ts';

async function started(chat: Chat | undefined): Promise<boolean> {
  if (!chat) return false;
  receiveChat(chat);
  await openChat(chat.id);
  return true;
}

/** Opens the direct chat with a person, starting it if the pair has none. */
export async function startDirectChat(userId: string): Promise<boolean> {
  return started(
    await attempt('failedCreateChat', () => api<Chat>('/api/chats/direct', { method: 'POST', body: { userId } })),
  );
}

export async function createGroup(title: string, memberIds: string[]): Promise<boolean> {
  return started(
    await attempt('failedCreateChat', () =>
      api<Chat>('/api/chats/groups', { method: 'POST', body: { title, memberIds } }),
    ),
  );
}

/** Renames a group (its owner only). */
export async function renameChat(chatId: string, title: string): Promise<boolean> {
  const chat = await attempt('failedRename', () =>
    api<Chat>(`/api/chats/${chatId}`, { method: 'PATCH', body: { title } }),
  );
  if (chat) receiveChat(chat);
  return Boolean(chat);
}

export async function addMember(chatId: string, userId: string): Promise<boolean> {
  const chat = await attempt('failedAddMember', () =>
    api<Chat | undefined>(`/api/chats/${chatId}/members`, { method: 'POST', body: { userIds: [userId] } }).then(
      (answer) => answer ?? null,
    ),
  );
  if (chat) receiveChat(chat);
  return chat !== undefined;
}

export async function removeMember(chatId: string, userId: string): Promise<boolean> {
  const done = await attempt('failedRemoveMember', () =>
    api(`/api/chats/${chatId}/members/${userId}`, { method: 'DELETE' }).then(() => true),
  );
  return done ?? false;
}

export async function leaveChat(chatId: string): Promise<boolean> {
  const me = session.user?.id;
  if (!me) return false;
  const done = await attempt('failedLeave', () =>
    api(`/api/chats/${chatId}/members/${me}`, { method: 'DELETE' }).then(() => true),
  );
  if (done) removeChat(chatId);
  return done ?? false;
}

/** Pins a message in its chat, or unpins it (a group's owner, or either member of a direct chat). */
export async function pinMessage(chatId: string, messageId: string, pinned: boolean): Promise<boolean> {
  const chat = await attempt(pinned ? 'failedPin' : 'failedUnpin', () =>
    api<Chat>(`/api/chats/${chatId}/pins/${messageId}`, { method: pinned ? 'PUT' : 'DELETE' }),
  );
  if (chat) receiveChat(chat);
  return Boolean(chat);
}
