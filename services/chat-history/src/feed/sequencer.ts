// Keeps the live events of one chat in rev order within this process. Revs commit in order (the chat row is locked
// from taking a rev to commit), but the work after each commit races: a change whose rev was taken here waits until
// every lower rev this process holds for the chat is published or abandoned. Revs held by another process are not
// waited for; a client that sees a gap fetches `…/changes` (and the relay publishes anything left behind).

type Held = { done: Promise<void>; finish: () => void };

// A published change never waits longer than this for a lower one (that one's process may be stuck).
const MAX_WAIT_MS = 2_000;
// A place never published nor released (its caller failed after commit) is given up after this.
const FORGET_AFTER_MS = 10_000;

export class Sequencer {
  private readonly chats = new Map<string, Map<number, Held>>();

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
    held.set(rev, { done, finish });
    setTimeout(() => this.release(chatId, rev), FORGET_AFTER_MS).unref();
  }

  /** Gives up a place (its transaction rolled back, or nothing is to be published). */
  release(chatId: string, rev: number): void {
    const held = this.chats.get(chatId);
    const place = held?.get(rev);
    if (!held || !place) return;
    place.finish();
    held.delete(rev);
    if (held.size === 0) this.chats.delete(chatId);
  }

  /** Runs `emit` once every lower rev held for the chat is done; a rev never held here runs at once. */
  async inOrder(chatId: string, rev: number, emit: () => void): Promise<void> {
    const held = this.chats.get(chatId);
    const before = held ? [...held].filter(([r]) => r < rev).map(([, h]) => h.done) : [];
    if (before.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, MAX_WAIT_MS);
      });
      await Promise.race([Promise.all(before), late]);
      clearTimeout(timer);
    }
    try {
      emit();
    } finally {
      this.release(chatId, rev);
    }
  }

  /** Places held now, for metrics and tests. */
  get size(): number {
    let n = 0;
    for (const held of this.chats.values()) n += held.size;
    return n;
  }
}
