// The "receipts" BullMQ queue: read events go in here (after the membership check) and the worker persists them.
import { closeQueue, queuePrefix, type Redis } from '@chat/kit';
import { Queue } from 'bullmq';

export const RECEIPTS_QUEUE = 'receipts';

export type Read = {
  chatId: string;
  userId: string;
  /** Already clamped to the chat's last seq. */
  seq: number;
  /** ms since epoch, for the enqueue-to-commit lag. */
  enqueuedAt: number;
};

/** A job carries the reads that arrived together; a job of one bare read is what earlier releases queued. */
export type ReceiptJob = { reads: Read[] } | Read;

export const readsOf = (job: ReceiptJob): Read[] => ('reads' in job ? job.reads : [job]);

export const receiptJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  // failed jobs stay for inspection (see docs/operations.md), the newest 10k of them
  removeOnFail: { count: 10_000 },
} as const;

export function createReceiptsQueue(connection: Redis, redisPrefix: string) {
  return new Queue<ReceiptJob>(RECEIPTS_QUEUE, {
    connection,
    prefix: queuePrefix(connection, redisPrefix, RECEIPTS_QUEUE),
    defaultJobOptions: receiptJobOptions,
  });
}

export type ReceiptsQueue = ReturnType<typeof createReceiptsQueue>;

type Waiting = { read: Read; resolve: () => void; reject: (err: unknown) => void };

/**
 * Puts reads in the queue, the ones that arrive together in one job: a read goes at once when the queue is idle, and
 * the reads that arrive while a job is being added go together in the next. A job costs Redis and the worker far more
 * than a read costs PostgreSQL, so under load this is what lets the worker keep up; when idle it adds no wait. Each
 * `enqueue` resolves once Redis holds the job with its read.
 */
export class ReadEnqueuer {
  private waiting: Waiting[] = [];
  private adding?: Promise<void>;
  private readonly queue: ReceiptsQueue;
  private readonly maxReads: number;

  constructor(queue: ReceiptsQueue, maxReads = 500) {
    this.queue = queue;
    this.maxReads = maxReads;
  }

  enqueue(read: Omit<Read, 'enqueuedAt'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ read: { ...read, enqueuedAt: Date.now() }, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.adding || this.waiting.length === 0) return;
    const taken = this.waiting.splice(0, this.maxReads);
    this.adding = this.queue.add('reads', { reads: taken.map((w) => w.read) }).then(
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

  /** Waits for every read given to be in the queue (or refused), then closes the queue's connection use. */
  async close(): Promise<void> {
    // an add settles its reads either way and never rejects itself; the next one starts as it settles
    while (this.adding) await this.adding;
    await closeQueue(this.queue);
  }
}
