// The messages of every chat that was opened, one per seq, ascending; older pages load as the reader scrolls up.
// Live changes reach them through the sync engine.
import type { Message } from '@chat/kit/contract';
import { attempt } from './notices.svelte.ts';
import { settleArrived } from './outbox.svelte.ts';
import { api } from './session.svelte.ts';
import { mergeMessages, withNewestPage } from './sync/timeline.ts';

const PAGE = 50;

export const messages = $state({
  byChat: {} as Record<string, Message[]>,
  /** Chats whose first message is loaded: nothing older to fetch. */
  olderDone: {} as Record<string, boolean>,
});

export const messagesOf = (chatId: string): Message[] => messages.byChat[chatId] ?? [];

export const isLoaded = (chatId: string): boolean => chatId in messages.byChat;

const pageOf = (chatId: string, query: string) =>
  api<{ messages: Message[] }>(`/api/chats/${chatId}/messages?${query}`).then((r) => r.messages);

/**
 * Loads the chat's newest page. The chat counts as loaded before the page arrives, so live changes that come while it
 * is in flight are kept; after a resync the page replaces what was held.
 */
export async function loadNewest(chatId: string): Promise<void> {
  const fresh = !isLoaded(chatId);
  messages.byChat[chatId] ??= [];
  const page = await pageOf(chatId, `limit=${PAGE}`).catch((err: unknown) => {
    // a first load that failed leaves the chat unloaded, so opening it again tries again
    if (fresh) delete messages.byChat[chatId];
    throw err;
  });
  const held = messages.byChat[chatId];
  if (!held) return; // the chat was dropped meanwhile
  messages.byChat[chatId] = withNewestPage(held, page);
  messages.olderDone[chatId] = page.length < PAGE;
  settleArrived(page);
}

const loadingOlder = new Set<string>();

/** Loads the page before the first message held (one request at a time per chat, however fast the reader scrolls). */
export async function loadOlder(chatId: string): Promise<void> {
  const first = messages.byChat[chatId]?.[0]?.seq;
  if (!first || first <= 1 || messages.olderDone[chatId] || loadingOlder.has(chatId)) return;
  loadingOlder.add(chatId);
  const page = await attempt('failedOpen', () => pageOf(chatId, `before=${first}&limit=${PAGE}`));
  loadingOlder.delete(chatId);
  const held = messages.byChat[chatId];
  if (!page || !held) return;
  messages.byChat[chatId] = mergeMessages(held, page);
  messages.olderDone[chatId] = page.length < PAGE || (page[0]?.seq ?? 1) <= 1;
}

/**
 * Makes sure the message `seq` of a loaded chat is held: the page centred on it is merged in when it is not (a hole may
 * then lie between it and the newer messages; `loadHole` fills it). False when it could not be loaded.
 */
export async function loadAround(chatId: string, seq: number): Promise<boolean> {
  if (messagesOf(chatId).some((m) => m.seq === seq)) return true;
  const page = await attempt('failedJump', () => pageOf(chatId, `around=${seq}&limit=${PAGE}`));
  const held = messages.byChat[chatId];
  if (!page || !held) return false;
  messages.byChat[chatId] = mergeMessages(held, page);
  if ((messages.byChat[chatId][0]?.seq ?? 1) <= 1) messages.olderDone[chatId] = true;
  settleArrived(page);
  return page.some((m) => m.seq === seq);
}

const fillingHoles = new Set<string>();

/** Loads the messages right after `seq`, into the hole that follows it. */
export async function loadHole(chatId: string, after: number): Promise<void> {
  const key = `${chatId}:${after}`;
  if (fillingHoles.has(key)) return;
  fillingHoles.add(key);
  const page = await attempt('failedOpen', () => pageOf(chatId, `after=${after}&limit=${PAGE}`));
  fillingHoles.delete(key);
  const held = messages.byChat[chatId];
  if (page && held) messages.byChat[chatId] = mergeMessages(held, page);
}

/** The held message with this id, loading older pages (a few at most) until it is found; undefined when it is not. */
export async function findMessage(chatId: string, messageId: string, pages = 10): Promise<Message | undefined> {
  for (let i = 0; ; i++) {
    const found = messagesOf(chatId).find((m) => m.id === messageId);
    const first = messagesOf(chatId)[0]?.seq;
    if (found || i >= pages || messages.olderDone[chatId] || !first) return found;
    await loadOlder(chatId);
    if (messagesOf(chatId)[0]?.seq === first) return undefined; // nothing older came: a failure said so already
  }
}

export function resetMessages(): void {
  messages.byChat = {};
  messages.olderDone = {};
}
