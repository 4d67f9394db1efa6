// One chat as the list shows it (title, members, last message, read cursor, unread count), kept current between the
// server's views by the messages that arrive.
import type { Change, Chat, Message } from '@chat/kit/contract';
import { mentionsMe } from '../text/mentions.ts';

export const byActivity = (a: Chat, b: Chat): number =>
  (b.lastMessage?.createdAt ?? '').localeCompare(a.lastMessage?.createdAt ?? '') || a.id.localeCompare(b.id);

/**
 * The server's view `incoming` taking the place of `held`; null when it is older than what is held (it was read before
 * a change this client already applied). A read cursor never moves back, so a view that was read before this client's
 * own read reached the server keeps the later cursor. `ahead` are the changes this client applied ahead of a gap: the
 * ones later than the view are not in it, so they are counted into it again.
 */
export function mergeView(
  held: Chat | undefined,
  incoming: Chat,
  me: string,
  ahead: readonly Change[] = [],
): Chat | null {
  if (!held) return { ...incoming };
  if (incoming.rev < held.rev) return null;
  const view = { ...incoming };
  if (held.readSeq > view.readSeq) readUpTo(view, held.readSeq);
  for (const change of ahead) if (change.rev > incoming.rev) noteChange(view, change, me);
  if (held.lastSeq > view.lastSeq) Object.assign(view, { lastSeq: held.lastSeq, lastMessage: held.lastMessage });
  return view;
}

/** A change to the chat's messages or members, applied to its view (a `chat.updated` is a whole view instead). */
export function noteChange(view: Chat, change: Change, me: string): void {
  if ((change.kind === 'message.new' || change.kind === 'message.updated') && change.message)
    noteMessage(view, change.kind, change.message, me);
  else if (change.kind === 'member.removed') view.members = view.members.filter((m) => m.userId !== change.userId);
}

/**
 * A message that is new to this view (`message.new`) or changed (`message.updated`): last message, unread (and unread
 * mentions of the user), cursor.
 */
export function noteMessage(view: Chat, kind: 'message.new' | 'message.updated', message: Message, me: string): void {
  const newest = message.seq >= view.lastSeq;
  if (message.seq > view.lastSeq) Object.assign(view, { lastSeq: message.seq, lastMessage: message });
  else if (view.lastMessage?.id === message.id) view.lastMessage = message;
  if (kind !== 'message.new') return;
  // my own send (from this tab or another) moved my cursor to it: nothing before it is unread any more
  if (message.senderId === me) {
    if (message.seq > view.readSeq) view.readSeq = message.seq;
    if (newest) Object.assign(view, { unread: 0, unreadMentions: 0, firstUnreadSeq: null });
  } else if (message.seq > view.readSeq && !message.deletedAt) {
    view.unread += 1;
    if (!view.firstUnreadSeq || view.firstUnreadSeq <= view.readSeq) view.firstUnreadSeq = message.seq;
    if (mentionsMe(message, me)) view.unreadMentions += 1;
  }
}

/** The user read up to `seq` (here or on another device). False when the unread count can't be told from here. */
export function readUpTo(view: Chat, seq: number): boolean {
  if (seq > view.readSeq) view.readSeq = seq;
  if (view.readSeq >= view.lastSeq) {
    Object.assign(view, { unread: 0, unreadMentions: 0, firstUnreadSeq: null });
    return true;
  }
  return false;
}
