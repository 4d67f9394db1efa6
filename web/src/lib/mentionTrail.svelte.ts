// The mentions of the user in the chat being read: they are read as they scroll by, so the mentions it had unread
// when it was opened are remembered here (where they begin, how many) for the "next mention" button to walk through.
import type { Chat } from '@chat/kit/contract';
import { jumpTo } from './jump.svelte.ts';
import { loadOlder, messages, messagesOf } from './messages.svelte.ts';
import { session } from './session.svelte.ts';
import { mentionsMe } from './text/mentions.ts';

export const trail = $state({
  chatId: null as string | null,
  /** The read cursor before the mentions: they are after it. */
  after: 0,
  /** How many there were, as the server counted them. */
  count: 0,
  /** The ones already shown, by seq. */
  visited: [] as number[],
});

/** The chat is being opened with unread mentions in it: they make the trail, walked from the oldest. */
export function startMentionTrail(chat: Chat): void {
  if (chat.unreadMentions <= 0) return;
  Object.assign(trail, { chatId: chat.id, after: chat.readSeq, count: chat.unreadMentions, visited: [] });
}

export const mentionsLeft = (chatId: string): number =>
  trail.chatId === chatId ? Math.max(0, trail.count - trail.visited.length) : 0;

const unvisited = (chatId: string): number[] =>
  messagesOf(chatId)
    .filter((m) => m.seq > trail.after && !trail.visited.includes(m.seq) && mentionsMe(m, session.user?.id ?? ''))
    .map((m) => m.seq);

/** Shows the oldest mention not shown yet, loading older pages back to where the mentions began when needed. */
export async function jumpToNextMention(chatId: string): Promise<void> {
  if (mentionsLeft(chatId) === 0) return;
  for (let page = 0; page < 10 && unvisited(chatId).length < mentionsLeft(chatId); page++) {
    const first = messagesOf(chatId)[0]?.seq ?? 1;
    if (first <= trail.after + 1 || messages.olderDone[chatId]) break;
    await loadOlder(chatId);
    if ((messagesOf(chatId)[0]?.seq ?? 1) === first) break;
  }
  const next = unvisited(chatId)[0];
  // the rest were deleted (or edited to mention no one) since they were counted
  if (next === undefined) {
    trail.count = trail.visited.length;
    return;
  }
  trail.visited.push(next);
  await jumpTo(chatId, next);
}
