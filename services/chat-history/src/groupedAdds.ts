// Adding a job to a BullMQ queue costs Redis and the worker far more than the item it carries costs to handle, so
// items that arrive together go in one job: an item goes at once when nothing is being added (no wait when idle), and
// the items that arrive while a job is being added go together in the next.

type Waiting<T> = { item: T; resolve: () => void; reject: (err: unknown) => void };

export class GroupedAdds<T> {
  private waiting: Waiting<T>[] = [];
  private adding?: Promise<void>;
  private readonly add: (items: T[]) => Promise<unknown>;
  private readonly max: number;

  /** `add` puts one job with these items in the queue; a job carries at most `max` of them. */
  constructor(add: (items: T[]) => Promise<unknown>, max: number) {
    this.add = add;
    this.max = max;
  }

  /** Resolves once Redis holds a job with the item (rejects if that add failed). */
  push(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.adding || this.waiting.length === 0) return;
    const taken = this.waiting.splice(0, this.max);
    this.adding = this.add(taken.map((w) => w.item)).then(
      () => {
        for (const w of taken) w.resolve();
      },
      (err: unknown) => {
        for (const w of taken) w.reject(err);
      },
    );
    void this.adding.finally(() => {
      this.adding = undefined;
      this.next();
    });
  }

  /** Waits until every item pushed so far is added (or refused). */
  async settled(): Promise<void> {
    // an add settles its items either way and never rejects itself; the next one starts as it settles
    while (this.adding) await this.adding;
  }
}
