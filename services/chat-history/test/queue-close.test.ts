// A service stopped while its queues are still starting (Redis answering just then) stops cleanly: nothing fails
// afterwards with nobody listening (an unhandled rejection, which would end the process).
import { closeRedis, createLogger, createRedis } from '@chat/kit';
import { testPrefix, testRedisUrl } from '@chat/infra/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPushNotifier, createPushQueue } from '../src/push/queue.ts';
import { createReceiptsQueue, ReadEnqueuer } from '../src/receipts/queue.ts';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** A client, its queues as chat-history makes them, and what is closed when. */
function queuesOn() {
  const redis = createRedis(testRedisUrl());
  const prefix = testPrefix();
  const receipts = new ReadEnqueuer(createReceiptsQueue(redis, prefix));
  const pushes = createPushNotifier(createPushQueue(redis, prefix), createLogger('test', 'silent'));
  return { redis, close: () => Promise.all([receipts.close(), pushes.close()]) };
}

describe('queues closed while they start', () => {
  it('take quietly a start cut short by their client closing just as Redis answered', async () => {
    const { redis, close } = queuesOn();
    const ended = new Promise((resolve) => redis.once('end', resolve));
    // the client closes the moment it is ready, before the queues asked Redis anything
    redis.once('ready', () => void closeRedis(redis));
    await close();
    await ended;
    await new Promise(setImmediate);
    expect(unhandled).toEqual([]);
  });
});
