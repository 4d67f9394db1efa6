// What is unread and what is worth a notification: reading as far as the reader has seen, the user's own state of a
// chat from another tab or device, the total for the tab's title, and which messages a notification level covers.
import type { Chat, Message, NotifyLevel } from '@chat/kit/contract';
import { mentionsMe } from '../text/mentions.ts';

const countsFor = (m: Message, me: string) => m.senderId !== me && !m.deletedAt;

/**
 * The reader has seen up to `seq`: the cursor moves there and the counts drop by the messages of others passed over
 * (told from the loaded messages); where unread messages begin next. Nothing happens for a seq already read.
 */
export function readThrough(view: Chat, seq: number, loaded: readonly Message[], me: string): boolean {
  if (seq <= view.readSeq && !view.markedUnread) return false;
  view.markedUnread = false;
  if (seq <= view.readSeq) return true;
  if (seq >= view.lastSeq) {
    Object.assign(view, { readSeq: seq, unread: 0, unreadMentions: 0, firstUnreadSeq: null });
    return true;
  }
  const passed = loaded.filter((m) => m.seq > view.readSeq && m.seq <= seq && countsFor(m, me));
  view.unread = Math.max(0, view.unread - passed.length);
  view.unreadMentions = Math.max(0, view.unreadMentions - passed.filter((m) => mentionsMe(m, me)).length);
  view.readSeq = seq;
  const next = loaded.find((m) => m.seq > seq && countsFor(m, me))?.seq;
  if (view.unread === 0) view.firstUnreadSeq = null;
  else if (next !== undefined) view.firstUnreadSeq = next;
  else if ((view.firstUnreadSeq ?? 0) <= seq) view.firstUnreadSeq = seq + 1;
  return true;
}

/**
 * The user's own state of the chat as another tab or device left it (`chat:state`): notification level, "marked
 * unread", and a read cursor that only moves forward. False when the counts cannot be told from here (the state was
 * read before messages this view already holds): the view is then to be fetched again.
 */
export function applyState(view: Chat, state: Chat): boolean {
  Object.assign(view, { notify: state.notify, muted: state.muted, markedUnread: state.markedUnread });
  if (state.readSeq < view.readSeq) return true;
  if (state.lastSeq === view.lastSeq) {
    Object.assign(view, {
      readSeq: state.readSeq,
      unread: state.unread,
      unreadMentions: state.unreadMentions,
      firstUnreadSeq: state.firstUnreadSeq,
    });
    return true;
  }
  view.readSeq = state.readSeq;
  if (view.readSeq >= view.lastSeq) {
    Object.assign(view, { unread: 0, unreadMentions: 0, firstUnreadSeq: null });
    return true;
  }
  return false;
}

/** How many chats' worth of unread the tab's title and icon show: unread messages, and 1 for a chat marked unread. */
export function totalUnread(chats: readonly Chat[]): number {
  let total = 0;
  for (const chat of chats) {
    if (chat.muted || chat.notify === 'none') continue;
    total += chat.unread > 0 ? chat.unread : chat.markedUnread ? 1 : 0;
  }
  return total;
}

/** "(3) Chat"; the bare title when nothing is unread. */
export const titleWithUnread = (title: string, total: number): string =>
  total > 0 ? `(${total > 999 ? '999+' : total}) ${title}` : title;

/** What the icon's badge says. */
export const badgeText = (total: number): string => (total > 99 ? '99+' : String(total));

/** Whether a chat's level asks for a notification of this message (never of the user's own). */
export function covers(level: NotifyLevel, message: Message, me: string): boolean {
  if (message.senderId === me || message.deletedAt) return false;
  if (level === 'all') return true;
  return level === 'mentions' && mentionsMe(message, me);
}
