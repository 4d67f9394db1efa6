// A chat's loaded messages: one per seq, ascending, whatever order pages and events arrive in.
import type { Message } from '@chat/kit/contract';
import { REPLY_PREVIEW_LENGTH } from '../text/contract.ts';

/** `list` with `incoming` merged in: a message with a seq already held replaces the held one (it is newer). */
export function mergeMessages(list: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return [...list];
  const bySeq = new Map(list.map((m) => [m.seq, m]));
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The chat's newest page as the server sent it, plus anything held that is newer than the page (events that arrived
 * while it was in flight). Older held messages are let go: after a resync they may be stale, and scrolling up
 * loads them again.
 */
export function withNewestPage(list: readonly Message[], page: readonly Message[]): Message[] {
  const last = page.at(-1)?.seq ?? 0;
  return mergeMessages(
    page,
    list.filter((m) => m.seq > last),
  );
}

/** A run of messages not loaded between two that are (seqs are gapless, so a jump in seq is a hole). */
export type Hole = { after: number; before: number };

export function holesIn(list: readonly Message[]): Hole[] {
  const holes: Hole[] = [];
  for (let i = 1; i < list.length; i++) {
    const after = list[i - 1]!.seq;
    const before = list[i]!.seq;
    if (before > after + 1) holes.push({ after, before });
  }
  return holes;
}

/**
 * `list` with the quotes of `original` (replies held that answer it) showing it as it is now: its edited preview, or
 * that it was deleted. Null when no reply held quotes it.
 */
export function withQuotesOf(list: readonly Message[], original: Message): Message[] | null {
  const preview = original.deletedAt ? '' : original.body.slice(0, REPLY_PREVIEW_LENGTH);
  const deleted = original.deletedAt !== null;
  let changed = false;
  const next = list.map((m) => {
    if (m.replyTo?.id !== original.id || (m.replyTo.preview === preview && m.replyTo.deleted === deleted)) return m;
    changed = true;
    return { ...m, replyTo: { ...m.replyTo, preview, deleted } };
  });
  return changed ? next : null;
}
