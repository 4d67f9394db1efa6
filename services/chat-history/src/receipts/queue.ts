// The "receipts" BullMQ queue: read events go in here (after the membership check) and the worker persists them.
import { queuePrefix, type Redis } from '@chat/kit';
import { Queue } from 'bullmq';

export const RECEIPTS_QUEUE = 'receipts';

export type ReadJob = {
  chatId: string;
  userId: string;
  /** Already clamped to the chat's last seq. */
  seq: number;
  /** ms since epoch, for the enqueue-to-commit lag. */
  enqueuedAt: number;
};

export const receiptJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  // failed jobs stay for inspection (see docs/operations.md), the newest 10k of them
  removeOnFail: { count: 10_000 },
} as const;

export function createReceiptsQueue(connection: Redis, redisPrefix: string) {
  return new Queue<ReadJob>(RECEIPTS_QUEUE, {
    connection,
    prefix: queuePrefix(connection, redisPrefix, RECEIPTS_QUEUE),
    defaultJobOptions: receiptJobOptions,
  });
}

export type ReceiptsQueue = ReturnType<typeof createReceiptsQueue>;

export async function enqueueRead(queue: ReceiptsQueue, job: Omit<ReadJob, 'enqueuedAt'>): Promise<void> {
  await queue.add('read', { ...job, enqueuedAt: Date.now() });
}
