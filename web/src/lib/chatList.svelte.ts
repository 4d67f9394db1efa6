// The chat list: every chat the user is in, as the server last described it (kept current by the sync engine), newest
// activity first; which one is open; and the user's own state of each: read cursor, marked unread, notification level.
import type { Chat, NotifyLevel } from '@chat/kit/contract';
import { loadReceipts } from './activity.svelte.ts';
import { jump, jumped } from './jump.svelte.ts';
import { startMentionTrail } from './mentionTrail.svelte.ts';
import { isLoaded, loadAround, loadNewest, messagesOf } from './messages.svelte.ts';
import { attempt } from './notices.svelte.ts';
import { currentSocket } from './realtime.svelte.ts';
import { api, session } from './session.svelte.ts';
import { readThrough } from './sync/unread.ts';

export const chatList = $state({
  chats: [] as Chat[],
  openChatId: null as string | null,
  /** Where the "New messages" divider stands in the open chat: where its unread began when it was opened. */
  divider: null as { chatId: string; seq: number } | null,
});

export const chatById = (id: string | null): Chat | undefined => chatList.chats.find((c) => c.id === id);

export function titleOf(chat: Chat): string {
  if (chat.kind === 'group') return chat.title ?? '';
  return chat.members.find((m) => m.userId !== session.user?.id)?.displayName ?? chat.title ?? '';
}

export const isOwnerOf = (chat: Chat): boolean =>
  chat.members.some((m) => m.userId === session.user?.id && m.role === 'owner');

/** Who pins: the owner of a group, either member of a direct chat. */
export const canPinIn = (chat: Chat): boolean => chat.kind === 'direct' || isOwnerOf(chat);

/**
 * Opens a chat where its unread messages begin, under a "New messages" divider (or at the newest when all is read).
 * Nothing is read on opening: the messages are, as they come into view.
 */
export async function openChat(chatId: string): Promise<void> {
  const view = chatById(chatId);
  const firstUnread = view && view.unread > 0 ? view.firstUnreadSeq : null;
  chatList.openChatId = chatId;
  chatList.divider = firstUnread ? { chatId, seq: firstUnread } : null;
  if (view) startMentionTrail(view);
  // a jump to a message under way (a search hit, a notification) takes the place of landing on the unread
  const landing = firstUnread !== null && jump.chatId !== chatId;
  if (landing) Object.assign(jump, { chatId, seq: firstUnread, ready: false, unread: true });
  await attempt('failedOpen', async () => {
    if (!isLoaded(chatId)) await loadNewest(chatId);
    await loadReceipts(chatId);
  });
  if (landing && jump.chatId === chatId && jump.unread) {
    const found = await loadAround(chatId, firstUnread);
    if (jump.chatId !== chatId || !jump.unread) return;
    if (found && chatList.openChatId === chatId) jump.ready = true;
    else jumped();
  }
  readSeen(chatId);
}

export function closeChat(): void {
  chatList.openChatId = null;
  chatList.divider = null;
}

type SeenProbe = { chatId: string; highest: () => number };
let probe: SeenProbe | null = null;

/** The open chat's message list says how far down the reader can see; undone when the list goes. */
export function watchSeen(chatId: string, highest: () => number): () => void {
  const mine = { chatId, highest };
  probe = mine;
  return () => {
    if (probe === mine) probe = null;
  };
}

const reads = new Map<string, number>();

// reads that follow each other while the reader scrolls go out as one
function sendRead(chatId: string, seq: number): void {
  const queued = reads.has(chatId);
  reads.set(chatId, Math.max(seq, reads.get(chatId) ?? 0));
  if (queued) return;
  setTimeout(() => {
    const upTo = reads.get(chatId) ?? seq;
    reads.delete(chatId);
    currentSocket()?.emit('chat:read', { chatId, seq: upTo }, () => {});
  }, 100);
}

/**
 * Reads the chat as far as the reader has seen it on screen (the page visible, no jump under way); a chat marked
 * unread is read again at its cursor, which ends that.
 */
export function readSeen(chatId: string): void {
  const view = chatById(chatId);
  if (!view || chatList.openChatId !== chatId || document.visibilityState !== 'visible') return;
  if (jump.chatId === chatId) return;
  const seen = probe?.chatId === chatId ? probe.highest() : 0;
  const upTo = Math.max(seen, view.readSeq);
  if (readThrough(view, upTo, messagesOf(chatId), session.user?.id ?? '')) sendRead(chatId, upTo);
}

/** Reads what is on screen in the open chat, if there is one (the page became visible, or messages arrived in it). */
export function markOpenChatRead(): void {
  if (chatList.openChatId) readSeen(chatList.openChatId);
}

/** Marks a chat unread for the user (on every device) until it is read again. */
export async function markUnread(chatId: string): Promise<void> {
  const view = chatById(chatId);
  if (!view) return;
  // left open, it would be read again at once
  if (chatList.openChatId === chatId) closeChat();
  const before = view.markedUnread;
  view.markedUnread = true;
  // 204 has no body: success is told by the request not failing (its chat:state may well have come first)
  const done = await attempt('failedMarkUnread', () =>
    api(`/api/chats/${chatId}/unread`, { method: 'POST' }).then(() => true),
  );
  if (!done) view.markedUnread = before;
}

/** How much of a chat the user is notified of (none mutes it). */
export async function setNotifyLevel(chatId: string, notify: NotifyLevel): Promise<void> {
  const view = chatById(chatId);
  if (!view) return;
  const before = { notify: view.notify, muted: view.muted };
  Object.assign(view, { notify, muted: notify === 'none' });
  const done = await attempt('failedNotifyLevel', () =>
    api<Chat>(`/api/chats/${chatId}/notify`, { method: 'PUT', body: { notify } }),
  );
  if (!done) Object.assign(view, before);
}

export function resetChatList(): void {
  chatList.chats = [];
  chatList.openChatId = null;
  chatList.divider = null;
}
