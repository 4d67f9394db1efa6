// The sync engine: keeps the chat list and the loaded messages equal to the server's, change by change. Every chat has
// a gapless rev. A live event (or an ack) one past the rev held is applied; one further on is applied and the gap
// before it is fetched from `…/changes?after=`; after every (re)connect and on the `resync` event one `POST /api/sync`
// brings whatever the socket missed.
import type { Change, ChangesResponse, Chat, MessageWithRev, Receipt, SyncResponse } from '@chat/kit/contract';
import {
  forgetChatActivity,
  loadReceipts,
  notePresence,
  noteReceipt,
  noteSendersRead,
  noteTyping,
  resetActivity,
  stoppedTyping,
} from './activity.svelte.ts';
import { chatById, chatList, markOpenChatRead, resetChatList } from './chatList.svelte.ts';
import { isLoaded, loadNewest, messages, resetMessages } from './messages.svelte.ts';
import { settleArrived } from './outbox.svelte.ts';
import { currentSocket } from './realtime.svelte.ts';
import { ApiError, api, session } from './session.svelte.ts';
import { notifyOf } from './notifications.svelte.ts';
import { readUpTo } from './sync/chatView.ts';
import {
  adoptChat,
  applyChange,
  applyChangesPage,
  dropChat,
  isBehind,
  pinsChange,
  putView,
  type Replica,
} from './sync/replica.ts';
import { decide, type HeldRev } from './sync/revs.ts';
import { applySync, heldRevs } from './sync/syncAnswer.ts';
import { applyState } from './sync/unread.ts';

let revs: Record<string, HeldRev<Change>> = {};

/** The stores as the sync rules see them: the list's views, the loaded messages, the revs held. */
const replica: Replica = {
  get chats() {
    return chatList.chats;
  },
  set chats(chats) {
    chatList.chats = chats;
  },
  get messages() {
    return messages.byChat;
  },
  set messages(byChat) {
    messages.byChat = byChat;
  },
  get revs() {
    return revs;
  },
  set revs(held) {
    revs = held;
  },
};

const me = () => session.user?.id ?? '';

const messagesIn = (changes: readonly Change[]) =>
  changes.flatMap((c) => (c.kind === 'message.new' && c.message ? [c.message] : []));

/** One change of one chat as it arrives live (an event, or the answer to this client's own write). */
export function receive(chatId: string, change: Change): void {
  // a message:new for a pending outbox item settles it even when the change itself is already held
  settleArrived(messagesIn([change]));
  const held = revs[chatId];
  if (!held) {
    // once the chat is held, the change is taken again: it may be newer than the view fetched (then it is applied,
    // and a gap before it fetched), and changes that came while the view was on its way are not lost that way
    void adopt(chatId, change.kind === 'chat.updated' ? change.chat : undefined).then(() => {
      if (revs[chatId]) receive(chatId, change);
    });
    return;
  }
  const decision = decide(held, change.rev);
  if (decision === 'have') return;
  applyChange(replica, chatId, change, me());
  // a member.removed naming the user dropped the chat from the replica: let go of the rest of it too
  if (!revs[chatId]) removeChat(chatId);
  else if (chatId === chatList.openChatId) markOpenChatRead();
  if (decision === 'gap') void catchUp(chatId);
}

export const receiveMessage = (kind: 'message.new' | 'message.updated', { rev, ...message }: MessageWithRev) =>
  receive(message.chatId, { rev, kind, message });

export const receiveChat = (chat: Chat) => receive(chat.id, { rev: chat.rev, kind: 'chat.updated', chat });

/** The user is no longer in the chat (left, was removed, or it is gone). */
export function removeChat(chatId: string): void {
  dropChat(replica, chatId);
  forgetChatActivity(chatId);
  if (chatList.openChatId === chatId) chatList.openChatId = null;
}

const adopting = new Map<string, Promise<void>>();

/** A chat this client does not hold yet (it was just added to it): its view, and from there on its changes. */
function adopt(chatId: string, chat?: Chat): Promise<void> {
  if (chat) return Promise.resolve(adoptChat(replica, chat, me()));
  const running = adopting.get(chatId);
  if (running) return running;
  const run = api<Chat>(`/api/chats/${chatId}`)
    .then((view) => adoptChat(replica, view, me()))
    .catch(() => {}) // not a member (any more): nothing to hold
    .finally(() => adopting.delete(chatId));
  adopting.set(chatId, run);
  return run;
}

const catching = new Map<string, Promise<void>>();
const caughtUpAgain = new Set<string>();

/** Fetches and applies the chat's changes after the rev held, page by page; one run per chat at a time. */
export function catchUp(chatId: string): Promise<void> {
  const running = catching.get(chatId);
  if (running) {
    caughtUpAgain.add(chatId);
    return running;
  }
  const run = fetchChanges(chatId).finally(() => catching.delete(chatId));
  catching.set(chatId, run);
  return run;
}

async function fetchChanges(chatId: string): Promise<void> {
  try {
    for (let round = 0; round < 5; round += 1) {
      caughtUpAgain.delete(chatId);
      for (let more = true; more; ) {
        const held = revs[chatId];
        if (!held) return removeChat(chatId);
        const page = await api<ChangesResponse>(`/api/chats/${chatId}/changes?after=${held.held}&limit=200`);
        const arrived = messagesIn(page.changes);
        settleArrived(arrived);
        noteSendersRead(arrived);
        applyChangesPage(replica, chatId, page, me());
        more = page.hasMore && page.changes.length > 0;
      }
      if (!caughtUpAgain.has(chatId) && !isBehind(replica, chatId)) break;
    }
  } catch (err) {
    if (!(err instanceof ApiError)) return; // offline: the sync after reconnecting closes the gap
    if (err.status === 404) return removeChat(chatId);
    // changes that old are no longer kept (410), or the rev held is not the server's (400): start over from now
    if (err.status === 410 || err.status === 400) return reloadChat(chatId);
    setTimeout(() => void catchUp(chatId), 3_000);
    return;
  }
  if (!revs[chatId]) return removeChat(chatId);
  if (chatId === chatList.openChatId) markOpenChatRead();
}

/** Holds the chat from its current view, and replaces its loaded messages by its newest page. */
async function reloadChat(chatId: string): Promise<void> {
  const view = await api<Chat>(`/api/chats/${chatId}`).catch(() => null);
  if (!view) return removeChat(chatId);
  revs[chatId] = { held: view.rev, ahead: [] };
  chatList.chats = chatList.chats.filter((c) => c.id !== chatId);
  putView(replica, view, me());
  if (isLoaded(chatId)) await loadNewest(chatId).catch(() => {});
}

let syncing: Promise<void> | null = null;
let syncAgain = false;
let retryDelay = 1_000;

/** One `POST /api/sync` with the rev held for every chat held, then whatever is left to fetch. */
export function syncNow(): Promise<void> {
  if (syncing) {
    syncAgain = true;
    return syncing;
  }
  syncing = (async () => {
    do {
      syncAgain = false;
      await syncOnce();
    } while (syncAgain);
  })().finally(() => {
    syncing = null;
  });
  return syncing;
}

async function syncOnce(): Promise<void> {
  let answer: SyncResponse;
  try {
    answer = await api<SyncResponse>('/api/sync', { method: 'POST', body: { chats: heldRevs(replica) } });
  } catch {
    // the server is busy or the connection went again: a reconnect syncs anyway, a connected socket tries later
    if (currentSocket()?.connected) setTimeout(() => void syncNow(), retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30_000);
    return;
  }
  retryDelay = 1_000;
  const arrived = Object.values(answer.changes).flatMap(messagesIn);
  settleArrived(arrived);
  noteSendersRead(arrived);
  const plan = applySync(replica, answer, me());
  for (const chatId of plan.dropped) removeChat(chatId);
  await Promise.all([...plan.catchUp.map(catchUp), ...plan.reload.map((chatId) => loadNewest(chatId).catch(() => {}))]);
  const open = chatList.openChatId;
  if (open) await loadReceipts(open).catch(() => {});
  markOpenChatRead();
}

function onReceipt(receipt: Receipt): void {
  noteReceipt(receipt);
  if (receipt.userId !== me()) return;
  // my own read on another tab or device: the counts here follow
  const view = chatById(receipt.chatId);
  // a read this tab made itself (or one older than it) tells nothing new
  if (!view || receipt.readSeq <= view.readSeq) return;
  if (!readUpTo(view, receipt.readSeq)) void refreshView(receipt.chatId);
}

/** The user's own state of a chat changed on another tab or device (level, marked unread, a read). */
function onState(state: Chat): void {
  const view = chatById(state.id);
  if (!view) return;
  if (!applyState(view, state)) void refreshView(state.id);
  // the divider of a chat open here but not being read follows where the unread begin now
  if (chatList.divider?.chatId === state.id && document.visibilityState !== 'visible') {
    chatList.divider = view.firstUnreadSeq ? { chatId: state.id, seq: view.firstUnreadSeq } : null;
  }
}

/** The chat's view as the server has it now (counts that cannot be told here); a newer rev is caught up. */
async function refreshView(chatId: string): Promise<void> {
  const view = await api<Chat>(`/api/chats/${chatId}`).catch(() => null);
  if (!view || !revs[chatId]) return;
  putView(replica, view, me());
  if (isBehind(replica, chatId)) void catchUp(chatId);
}

export function bindEvents(): void {
  const s = currentSocket();
  if (!s) return;
  s.on('message:new', (m) => {
    stoppedTyping(m.chatId, m.senderId);
    noteSendersRead([m]);
    receiveMessage('message.new', m);
    notifyOf(m);
  });
  s.on('message:updated', (m) => receiveMessage('message.updated', m));
  s.on('chat:created', receiveChat);
  s.on('chat:updated', receiveChat);
  s.on('chat:removed', ({ chatId }) => removeChat(chatId));
  s.on('pins:updated', (update) => {
    const change = pinsChange(replica, update, (view) => $state.snapshot(view));
    if (change) receive(update.chatId, change);
    else void catchUp(update.chatId);
  });
  s.on('receipt', onReceipt);
  s.on('chat:state', onState);
  s.on('presence', notePresence);
  s.on('presence:snapshot', ({ users }) => {
    for (const state of users) notePresence(state);
  });
  s.on('typing', noteTyping);
  s.on('resync', () => void syncNow());
}

/** A new session starts from nothing. */
export function resetSync(): void {
  revs = {};
  resetChatList();
  resetMessages();
  resetActivity();
}
