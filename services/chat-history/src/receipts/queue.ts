// The "receipts" BullMQ queue: read events go in here (after the membership check) and the worker persists them.
import { queuePrefix, type Redis } from '@chat/kit';
import { Queue } from 'bullmq';
import { GroupedAdds } from '../groupedAdds.ts';

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

/**
 * Puts reads in the queue, the ones that arrive together in one job (see groupedAdds.ts): under load this is what
 * lets the worker keep up; when idle it adds no wait. Each `enqueue` resolves once Redis holds the job with its read.
 */
export class ReadEnqueuer {
  private readonly queue: ReceiptsQueue;
  private readonly groups: GroupedAdds<Read>;

  constructor(queue: ReceiptsQueue, maxReads = 500) {
    this.queue = queue;
    this.groups = new GroupedAdds((reads) => queue.add('reads', { reads }), maxReads);
  }

  enqueue(read: Omit<Read, 'enqueuedAt'>): Promise<void> {
    return this.groups.push({ ...read, enqueuedAt: Date.now() });
  }

  /** Waits for every read given to be in the queue (or refused), then closes the queue's connection use. */
  async close(): Promise<void> {
    await this.groups.settled();
    await this.queue.close();
  }
}
