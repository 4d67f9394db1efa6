// Which of a chat's changes this client has applied: every one up to `held`, and the few later ones in `ahead` that a
// live event brought before the gap under them was fetched. Those are kept whole until the gap is closed: a view of the
// chat read before one of them does not have it (see mergeView).
type Numbered = { rev: number };
export type HeldRev<C extends Numbered = Numbered> = { held: number; ahead: C[] };

/** What to do with a chat's change numbered `rev`. */
export type RevDecision =
  /** it is applied already (or it is older than everything held): nothing to do */
  | 'have'
  /** it is the next one: apply it, and the held rev moves to it */
  | 'apply'
  /** changes before it are missing: apply it now and fetch `…/changes?after=held` */
  | 'gap';

export function decide(held: HeldRev, rev: number): RevDecision {
  if (isApplied(held, rev)) return 'have';
  return rev === held.held + 1 ? 'apply' : 'gap';
}

export function isApplied(held: HeldRev, rev: number): boolean {
  return rev <= held.held || held.ahead.some((change) => change.rev === rev);
}

/** Records `change` as applied; the held rev climbs over every one that is now contiguous. */
export function markApplied<C extends Numbered>(held: HeldRev<C>, change: C): void {
  if (isApplied(held, change.rev)) return;
  held.ahead.push(change);
  climb(held);
}

/** Records every change up to `rev` as applied (a page of changes that reached the chat's rev). */
export function markAppliedUpTo(held: HeldRev, rev: number): void {
  if (rev > held.held) held.held = rev;
  climb(held);
}

function climb(held: HeldRev): void {
  while (held.ahead.some((change) => change.rev === held.held + 1)) held.held += 1;
  if (held.ahead.some((change) => change.rev <= held.held))
    held.ahead = held.ahead.filter((change) => change.rev > held.held);
}
