// Groups items into batches written together: a batch is written when it is full or its first item has waited long
// enough, and each `add` settles with its batch. The receipts worker groups the jobs it holds at once (each job's
// processor settles when its batch commits, so retries and failure bookkeeping stay BullMQ's, per job); the send path
// groups the messages it tells the push worker about.
export type BatchOptions<T, R> = {
  /** Flush when this many items wait. */
  maxSize: number;
  /** Flush at most this long after the first item arrived. */
  maxWaitMs: number;
  write: (items: T[]) => Promise<R>;
};

type Pending<T, R> = { items: T[]; settle: Promise<R>; resolve: (r: R) => void; reject: (e: unknown) => void };

export class Batcher<T, R> {
  private open?: Pending<T, R>;
  private timer?: NodeJS.Timeout;
  private readonly options: BatchOptions<T, R>;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: BatchOptions<T, R>) {
    this.options = options;
  }

  /** Resolves with the result of the batch that wrote `item`. */
  add(item: T): Promise<R> {
    if (!this.open) {
      let resolve!: (r: R) => void;
      let reject!: (e: unknown) => void;
      const settle = new Promise<R>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.open = { items: [], settle, resolve, reject };
      this.timer = setTimeout(() => this.flush(), this.options.maxWaitMs);
    }
    const batch = this.open;
    batch.items.push(item);
    if (batch.items.length >= this.options.maxSize) this.flush();
    return batch.settle;
  }

  /** Writes the open batch now. */
  flush(): void {
    const batch = this.open;
    if (!batch) return;
    this.open = undefined;
    clearTimeout(this.timer);
    const writing = this.options.write(batch.items).then(batch.resolve, batch.reject);
    this.inFlight.add(writing);
    void writing.finally(() => this.inFlight.delete(writing));
  }

  /** Flushes and waits for every batch being written. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
  }
}
