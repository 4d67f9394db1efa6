// Chats, their messages, receipts, typing and presence, kept right by live events and by catch-up from history:
// after every (re)connect and on any seq gap, `GET …/messages?after=<last seq held>` closes the gap.
import type { Chat, Message, Receipt } from '@chat/kit/contract';
import { enqueue, markFailed, markPending, outbox, settle } from './outbox.svelte.ts';
import { currentSocket } from './realtime.svelte.ts';
import { api, session } from './session.svelte.ts';

const PAGE = 50;

export const store = $state({
  chats: [] as Chat[],
  messages: {} as Record<string, Message[]>,
  olderDone: {} as Record<string, boolean>,
  receipts: {} as Record<string, Record<string, number>>,
  typing: {} as Record<string, Record<string, number>>,
  presence: {} as Record<string, { online: boolean; lastSeenAt: string | null }>,
  openChatId: null as string | null,
});

const byActivity = (a: Chat, b: Chat) =>
  (b.lastMessage?.createdAt ?? '').localeCompare(a.lastMessage?.createdAt ?? '') || a.id.localeCompare(b.id);

function upsertChat(chat: Chat) {
  const i = store.chats.findIndex((c) => c.id === chat.id);
  if (i >= 0) store.chats[i] = chat;
  else store.chats.push(chat);
  store.chats.sort(byActivity);
}

export const chatById = (id: string | null) => store.chats.find((c) => c.id === id);

export async function loadChats() {
  const { chats } = await api<{ chats: Chat[] }>('/api/chats');
  store.chats = chats.sort(byActivity);
}

async function refreshChat(chatId: string) {
  try {
    upsertChat(await api<Chat>(`/api/chats/${chatId}`));
  } catch {
    removeChat(chatId);
  }
}

function removeChat(chatId: string) {
  store.chats = store.chats.filter((c) => c.id !== chatId);
  delete store.messages[chatId];
  if (store.openChatId === chatId) store.openChatId = null;
}

function merge(chatId: string, incoming: Message[]) {
  const list = store.messages[chatId] ?? [];
  const bySeq = new Map(list.map((m) => [m.seq, m]));
  for (const m of incoming) bySeq.set(m.seq, m);
  store.messages[chatId] = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  for (const m of incoming) if (outbox.items.some((p) => p.clientId === m.clientId)) settle(m.clientId);
}

const lastHeld = (chatId: string) => store.messages[chatId]?.at(-1)?.seq ?? 0;

/** Fetches everything after the last message held, page by page. */
export async function catchUp(chatId: string) {
  if (!store.messages[chatId]) return;
  for (;;) {
    const after = lastHeld(chatId);
    const { messages } = await api<{ messages: Message[] }>(`/api/chats/${chatId}/messages?after=${after}&limit=100`);
    merge(chatId, messages);
    if (messages.length < 100) return;
  }
}

export async function openChat(chatId: string) {
  store.openChatId = chatId;
  if (!store.messages[chatId]) {
    const { messages } = await api<{ messages: Message[] }>(`/api/chats/${chatId}/messages?limit=${PAGE}`);
    merge(chatId, messages);
    store.olderDone[chatId] = messages.length < PAGE;
  }
  await loadReceipts(chatId);
  markRead(chatId);
}

export async function loadOlder(chatId: string) {
  const first = store.messages[chatId]?.[0]?.seq;
  if (!first || first <= 1 || store.olderDone[chatId]) return;
  const { messages } = await api<{ messages: Message[] }>(`/api/chats/${chatId}/messages?before=${first}&limit=${PAGE}`);
  merge(chatId, messages);
  store.olderDone[chatId] = messages.length < PAGE || (messages[0]?.seq ?? 1) <= 1;
}

async function loadReceipts(chatId: string) {
  const { receipts } = await api<{ receipts: { userId: string; readSeq: number }[] }>(`/api/chats/${chatId}/receipts`);
  // a live receipt may have arrived while this was in flight: cursors only move forward
  const known = store.receipts[chatId] ?? {};
  for (const r of receipts) known[r.userId] = Math.max(known[r.userId] ?? 0, r.readSeq);
  store.receipts[chatId] = known;
}

/** Marks the open chat read up to its last message, when the page is visible. */
export function markRead(chatId: string) {
  const chat = chatById(chatId);
  if (!chat || chat.lastSeq <= chat.readSeq || document.visibilityState !== 'visible') return;
  const seq = chat.lastSeq;
  chat.readSeq = seq;
  chat.unread = 0;
  currentSocket()?.emit('chat:read', { chatId, seq }, () => {});
}

/** After every (re)connect: the chat list, every loaded chat's gap, the open chat's receipts, the outbox. */
export async function resync() {
  await loadChats();
  await Promise.all(Object.keys(store.messages).map((id) => (chatById(id) ? catchUp(id) : removeChat(id))));
  if (store.openChatId) {
    await loadReceipts(store.openChatId).catch(() => {});
    markRead(store.openChatId);
  }
  await flushOutbox();
}

function onMessage(message: Message) {
  const chat = chatById(message.chatId);
  if (!chat) return void refreshChat(message.chatId);
  const held = store.messages[message.chatId];
  if (held) {
    if (message.seq > lastHeld(message.chatId) + 1) void catchUp(message.chatId);
    else merge(message.chatId, [message]);
  }
  if (message.seq > chat.lastSeq) {
    chat.lastSeq = message.seq;
    chat.lastMessage = message;
    if (message.senderId === session.user?.id) chat.readSeq = message.seq;
    else chat.unread += 1;
    store.chats.sort(byActivity);
  }
  if (store.typing[message.chatId]) delete store.typing[message.chatId]?.[message.senderId];
  if (store.openChatId === message.chatId) markRead(message.chatId);
}

function onUpdated(message: Message) {
  if (store.messages[message.chatId]) merge(message.chatId, [message]);
  const chat = chatById(message.chatId);
  if (chat?.lastMessage?.id === message.id) chat.lastMessage = message;
}

function onReceipt(r: Receipt) {
  const known = store.receipts[r.chatId] ?? {};
  known[r.userId] = Math.max(known[r.userId] ?? 0, r.readSeq);
  store.receipts[r.chatId] = known;
  // my own read on another tab or device: the counts here follow
  if (r.userId === session.user?.id) void refreshChat(r.chatId);
}

export function bindEvents() {
  const s = currentSocket();
  if (!s) return;
  s.on('message:new', onMessage);
  s.on('message:updated', onUpdated);
  s.on('receipt', onReceipt);
  s.on('chat:created', upsertChat);
  s.on('chat:updated', upsertChat);
  s.on('chat:removed', ({ chatId }) => removeChat(chatId));
  s.on('presence', ({ userId, online, lastSeenAt }) => {
    store.presence[userId] = { online, lastSeenAt };
  });
  s.on('typing', ({ chatId, userId, isTyping }) => {
    const typing = store.typing[chatId] ?? {};
    if (isTyping) typing[userId] = Date.now();
    else delete typing[userId];
    store.typing[chatId] = typing;
  });
}

let flushing = false;
/** Sends every pending message, oldest first, each with its clientId, until one cannot go yet. */
export async function flushOutbox() {
  const s = currentSocket();
  if (flushing || !s?.connected) return;
  flushing = true;
  try {
    for (const item of outbox.items.filter((i) => i.status === 'pending')) {
      const ack = await s
        .timeout(10_000)
        .emitWithAck('message:send', { chatId: item.chatId, clientId: item.clientId, body: item.body })
        .catch(() => null);
      if (!ack || (!ack.ok && ['rate_limited', 'unavailable', 'internal'].includes(ack.error.code))) {
        setTimeout(() => void flushOutbox(), 2_000);
        return;
      }
      if (ack.ok) {
        onMessage(ack.message);
        // a loaded chat settles it when the message is merged (now, or after a catch-up closes a gap);
        // an unloaded chat is not given a one-message list: it loads whole when opened
        if (!store.messages[item.chatId]) settle(item.clientId);
      } else markFailed(item.clientId, ack.error.message);
    }
  } finally {
    flushing = false;
  }
}

export function sendMessage(chatId: string, body: string) {
  enqueue(chatId, body);
  void flushOutbox();
}

export function retry(clientId: string) {
  markPending(clientId);
  void flushOutbox();
}

export async function editMessage(chatId: string, messageId: string, body: string) {
  const ack = await currentSocket()?.timeout(10_000).emitWithAck('message:edit', { chatId, messageId, body });
  if (ack?.ok) onUpdated(ack.message);
}

export async function deleteMessage(chatId: string, messageId: string) {
  const ack = await currentSocket()?.timeout(10_000).emitWithAck('message:delete', { chatId, messageId });
  if (ack?.ok) onUpdated(ack.message);
}

export function sendTyping(chatId: string, isTyping: boolean) {
  currentSocket()?.emit('typing', { chatId, isTyping }, () => {});
}

export function titleOf(chat: Chat): string {
  if (chat.kind === 'group') return chat.title ?? '';
  return chat.members.find((m) => m.userId !== session.user?.id)?.displayName ?? chat.title ?? '';
}

export function resetStore() {
  Object.assign(store, { chats: [], messages: {}, olderDone: {}, receipts: {}, typing: {}, presence: {}, openChatId: null });
}
