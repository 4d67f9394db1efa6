// The "pushes" BullMQ queue: the messages sent together in one job (who to notify is decided by the worker, off the
// send path), which becomes one job per subscription of each recipient, each retried on its own.
import { closeQueue, type Logger, queuePrefix, type Redis } from '@chat/kit';
import type { PushPayload } from '@chat/kit/contract';
import { Queue } from 'bullmq';
import { Batcher } from '../batcher.ts';

export const PUSH_QUEUE = 'pushes';

export type SentMessage = { chatId: string; messageId: string };

export type PushJob =
  | { kind: 'messages'; messages: SentMessage[] }
  /** One message: what earlier releases queued, and a message of a batch the worker could not handle */
  | ({ kind: 'message' } & SentMessage)
  | { kind: 'deliver'; subscriptionId: string; payload: PushPayload };

export const pushJobOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { count: 1_000 },
} as const;

export function createPushQueue(connection: Redis, redisPrefix: string) {
  return new Queue<PushJob>(PUSH_QUEUE, {
    connection,
    prefix: queuePrefix(connection, redisPrefix, PUSH_QUEUE),
    defaultJobOptions: pushJobOptions,
  });
}

export type PushQueue = ReturnType<typeof createPushQueue>;

/** A push waits this long at most for others to share its job: a job costs Redis and the worker far more than a
 * message costs to look at, and a notification a tenth of a second later is no later to a person. */
const PUSH_BATCH = { maxSize: 200, maxWaitMs: 100 };

/** What the send path tells the push worker: a message committed; the worker works out who is offline and wants
 * to know. It never holds up or fails a send: a failed enqueue (Redis away) is logged and that message not pushed. */
export type PushNotifier = { messageSent(chatId: string, messageId: string): void; close(): Promise<void> };

export function createPushNotifier(queue: PushQueue, logger: Logger): PushNotifier {
  const batcher = new Batcher<SentMessage, unknown>({
    ...PUSH_BATCH,
    write: (messages) => queue.add('messages', { kind: 'messages', messages }),
  });
  return {
    messageSent(chatId, messageId) {
      batcher.add({ chatId, messageId }).catch((err: Error) => {
        logger.warn({ err: err.message, chatId, messageId }, 'push not queued');
      });
    },
    async close() {
      await batcher.drain();
      await closeQueue(queue);
    },
  };
}
