// This client's copy of the user's chats, and how a recorded change (from the changes feed, a sync answer, a live
// event or an ack) is applied to it. Changes carry the message or chat as it is now, so applying one twice is harmless;
// the held revs only save the work.
import type { Change, ChangesResponse, Chat, Message } from '@chat/kit/contract';
import { byActivity, mergeView, noteChange } from './chatView.ts';
import { decide, type HeldRev, isApplied, markApplied, markAppliedUpTo } from './revs.ts';
import { mergeMessages, withQuotesOf } from './timeline.ts';

export interface Replica {
  /** Every chat the user is in, newest activity first. */
  chats: Chat[];
  /** The messages of each chat that was opened (a chat absent here has none loaded). */
  messages: Record<string, Message[]>;
  /** The changes applied per chat. */
  revs: Record<string, HeldRev<Change>>;
}

export const viewOf = (replica: Replica, chatId: string): Chat | undefined =>
  replica.chats.find((c) => c.id === chatId);

/** Starts holding a chat at its view's rev: its history is loaded from there on demand. */
export function adoptChat(replica: Replica, chat: Chat, me: string): void {
  putView(replica, chat, me);
  replica.revs[chat.id] ??= { held: chat.rev, ahead: [] };
}

/** Puts the server's view of a chat in the list, unless the one held is newer. False when it was older. */
export function putView(replica: Replica, chat: Chat, me: string): boolean {
  const i = replica.chats.findIndex((c) => c.id === chat.id);
  const view = mergeView(replica.chats[i], chat, me, replica.revs[chat.id]?.ahead);
  if (!view) return false;
  if (i >= 0) replica.chats[i] = view;
  else replica.chats.push(view);
  replica.chats.sort(byActivity);
  return true;
}

export function dropChat(replica: Replica, chatId: string): void {
  replica.chats = replica.chats.filter((c) => c.id !== chatId);
  delete replica.messages[chatId];
  delete replica.revs[chatId];
}

/**
 * Applies one change of a held chat. False when it was applied before (or the chat is not held). A change older than
 * the chat's view is already in that view (views are read after the changes they follow), so it only reaches the
 * loaded messages.
 */
export function applyChange(replica: Replica, chatId: string, change: Change, me: string): boolean {
  const held = replica.revs[chatId];
  if (!held || isApplied(held, change.rev)) return false;
  const view = viewOf(replica, chatId);
  const viewHasIt = !view || change.rev <= view.rev;
  switch (change.kind) {
    case 'message.new':
    case 'message.updated': {
      if (!change.message) break;
      const loaded = replica.messages[chatId];
      if (loaded) {
        const merged = mergeMessages(loaded, [change.message]);
        // an edit or delete reaches the quotes of it too
        replica.messages[chatId] =
          change.kind === 'message.updated' ? (withQuotesOf(merged, change.message) ?? merged) : merged;
      }
      if (view && !viewHasIt) noteChange(view, change, me);
      break;
    }
    case 'chat.updated':
      if (change.chat) putView(replica, change.chat, me);
      break;
    case 'member.removed':
      if (change.userId === me) {
        dropChat(replica, chatId);
        return true;
      }
      if (view && !viewHasIt) noteChange(view, change, me);
      break;
  }
  markApplied(held, change);
  settleView(replica, chatId);
  return true;
}

/**
 * The change a `pins:updated` event makes: the chat's view held, with those pins, at the event's rev (`copy` takes the
 * view out of the store). The event names only the pins, so that view is the chat's only when the event is the next
 * change. Over a gap there is none: the catch-up brings the chat as it is now, where a view made here at that rev would
 * claim the gap's changes, and their messages would go uncounted.
 */
export function pinsChange(
  replica: Replica,
  update: { chatId: string; pinned: string[]; rev: number },
  copy: (view: Chat) => Chat = (view) => ({ ...view }),
): Change | null {
  const held = replica.revs[update.chatId];
  if (held && decide(held, update.rev) === 'gap') return null;
  const view = viewOf(replica, update.chatId);
  return {
    rev: update.rev,
    kind: 'chat.updated',
    chat: view && { ...copy(view), pinned: update.pinned, rev: update.rev },
  };
}

/** Applies a page of `…/changes?after=`: the held rev reaches the chat's rev once no more changes are left. */
export function applyChangesPage(replica: Replica, chatId: string, page: ChangesResponse, me: string): void {
  for (const change of page.changes) applyChange(replica, chatId, change, me);
  const held = replica.revs[chatId];
  if (!held) return;
  markAppliedUpTo(held, page.hasMore ? (page.changes.at(-1)?.rev ?? held.held) : page.rev);
  settleView(replica, chatId);
}

/** True when the chat's view is past the changes held: the changes between are to be fetched. */
export function isBehind(replica: Replica, chatId: string): boolean {
  const held = replica.revs[chatId];
  const view = viewOf(replica, chatId);
  return Boolean(held && view && view.rev > held.held);
}

// The view has every change up to the held rev applied to it: a view read earlier than that is stale from now on.
function settleView(replica: Replica, chatId: string): void {
  const held = replica.revs[chatId];
  const view = viewOf(replica, chatId);
  if (held && view && view.rev < held.held) view.rev = held.held;
  replica.chats.sort(byActivity);
}
