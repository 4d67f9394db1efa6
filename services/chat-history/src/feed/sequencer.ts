// Keeps the live events of one chat in rev order within this process. Revs commit in order (the chat row is locked
// from taking a rev to commit), but the work after each commit races: a change whose rev was taken here waits until
// every lower rev this process holds for the chat is published or abandoned. Revs held by another process are not
// waited for; a client that sees a gap fetches `…/changes` (and the relay publishes anything left behind).
//
// A statement that takes its rev and commits at once (a plain send, see appendMessage.ts) learns its rev only after
// commit, when a higher rev of the same chat may already be back too. So it is expected before it runs: a change
// published meanwhile first waits for every expected place of its chat to learn its rev, then for those below its own.
// Unless the rev just below its own was taken here: that one waits for anything lower in turn, so a busy chat's sends
// do not wait for the ones queued behind them for the chat's lock.

type Held = { done: Promise<void>; finish: () => void; forget: NodeJS.Timeout };

export type ExpectedPlace = {
  /** The statement took `rev` (and committed): the place is held like any other. */
  took(rev: number): void;
  /** The statement took no rev (refused, failed, or a retry of a send already made). */
  cancel(): void;
};

// A published change never waits longer than this for a lower one (that one's process may be stuck).
const MAX_WAIT_MS = 2_000;
// A place never published nor released (its caller failed after commit) is given up after this.
const FORGET_AFTER_MS = 10_000;
// Revs taken here that are remembered per chat, and chats remembered at most (past that, all are forgotten: a change
// whose predecessor is not known here just waits for the places expected in its chat).
const REVS_REMEMBERED = 64;
const CHATS_REMEMBERED = 10_000;

export class Sequencer {
  private readonly chats = new Map<string, Map<number, Held>>();
  /** Per chat, the places whose rev is not known yet: each resolves with it (undefined: nothing was taken). */
  private readonly expected = new Map<string, Set<Promise<number | undefined>>>();
  /** Revs taken here lately, per chat (held now or already published). */
  private readonly taken = new Map<string, Set<number>>();

  /** Expects a place in the chat's order for a statement about to take a rev and commit; call before it runs. */
  expect(chatId: string): ExpectedPlace {
    let places = this.expected.get(chatId);
    if (!places) {
      places = new Set();
      this.expected.set(chatId, places);
    }
    let learn!: (rev: number | undefined) => void;
    const known = new Promise<number | undefined>((resolve) => {
      learn = resolve;
    });
    places.add(known);
    const settle = (rev: number | undefined) => {
      const current = this.expected.get(chatId);
      if (!current?.delete(known)) return;
      clearTimeout(forget);
      if (current.size === 0) this.expected.delete(chatId);
      if (rev !== undefined) this.hold(chatId, rev);
      learn(rev);
    };
    // a caller that never settles (it crashed mid-way) holds nobody up for long
    const forget = setTimeout(() => settle(undefined), FORGET_AFTER_MS).unref();
    return { took: (rev) => settle(rev), cancel: () => settle(undefined) };
  }

  /** Takes a place in the chat's order; call right after taking the rev, inside its transaction. */
  hold(chatId: string, rev: number): void {
    let held = this.chats.get(chatId);
    if (!held) {
      held = new Map();
      this.chats.set(chatId, held);
    }
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    // a place never published nor released is given up; one published stays among the revs taken here
    const forget = setTimeout(() => this.release(chatId, rev), FORGET_AFTER_MS).unref();
    held.set(rev, { done, finish, forget });
    this.remember(chatId, rev);
  }

  /** Gives up a place (its transaction rolled back, or nothing is to be published). */
  release(chatId: string, rev: number): void {
    // a rolled-back rev is taken again by the next writer, maybe a statement of this process still on its way
    this.taken.get(chatId)?.delete(rev);
    this.finish(chatId, rev);
  }

  private remember(chatId: string, rev: number): void {
    let revs = this.taken.get(chatId);
    if (!revs) {
      if (this.taken.size >= CHATS_REMEMBERED) this.taken.clear();
      revs = new Set();
      this.taken.set(chatId, revs);
    }
    revs.add(rev);
    if (revs.size > REVS_REMEMBERED) revs.delete(revs.values().next().value as number);
  }

  private finish(chatId: string, rev: number): void {
    const held = this.chats.get(chatId);
    const place = held?.get(rev);
    if (!held || !place) return;
    clearTimeout(place.forget);
    place.finish();
    held.delete(rev);
    if (held.size === 0) this.chats.delete(chatId);
  }

  /** Runs `emit` once every lower rev held for the chat is done; a rev never held here runs at once. */
  async inOrder(chatId: string, rev: number, emit: () => void): Promise<void> {
    const afterOwn = this.taken.get(chatId)?.has(rev - 1) ?? false;
    const expected = afterOwn ? [] : [...(this.expected.get(chatId) ?? [])];
    if (expected.length > 0 || this.lowerHeld(chatId, rev).length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, MAX_WAIT_MS);
      });
      const turn = async () => {
        await Promise.all(expected);
        await Promise.all(this.lowerHeld(chatId, rev));
      };
      await Promise.race([turn(), late]);
      clearTimeout(timer);
    }
    try {
      emit();
    } finally {
      this.finish(chatId, rev);
    }
  }

  private lowerHeld(chatId: string, rev: number): Promise<void>[] {
    const held = this.chats.get(chatId);
    return held ? [...held].filter(([r]) => r < rev).map(([, h]) => h.done) : [];
  }

  /** Places held now, for metrics and tests. */
  get size(): number {
    let n = 0;
    for (const held of this.chats.values()) n += held.size;
    return n;
  }
}
