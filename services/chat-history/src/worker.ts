// The worker process: persists read cursors from the "receipts" queue in batches, and sends Web Push notifications
// from the "pushes" queue.
import { createServer } from 'node:http';
import {
  closeServer,
  createKnex,
  createLogger,
  createMetrics,
  createRedis,
  listen,
  parseConfig,
  runService,
} from '@chat/kit';
import { readVapidKeys } from './push/vapid.ts';
import { createPushWorker } from './push/worker.ts';
import { receiptsWorkerConfigShape } from './receipts/config.ts';
import { createReceiptsWorker } from './receipts/worker-app.ts';

await runService('receipts', async () => {
  const config = parseConfig(receiptsWorkerConfigShape);
  const logger = createLogger('receipts', config.LOG_LEVEL);
  const db = createKnex(config.DATABASE_URL, 'chat');
  const redis = createRedis(config, { maxRetriesPerRequest: null });
  const publisher = createRedis(config);
  const metrics = createMetrics('receipts');
  const pushes = createPushWorker({
    db,
    redis,
    presence: publisher,
    redisPrefix: config.REDIS_PREFIX,
    vapid: readVapidKeys(config.VAPID_KEYS_FILE, config.NODE_ENV),
    subject: config.VAPID_SUBJECT,
    logger,
    metrics,
    concurrency: config.PUSH_CONCURRENCY,
  });
  const receipts = createReceiptsWorker({
    db,
    redis,
    publisher,
    redisPrefix: config.REDIS_PREFIX,
    logger,
    metrics,
    batchSize: config.RECEIPTS_BATCH_SIZE,
    batchWaitMs: config.RECEIPTS_BATCH_WAIT_MS,
    concurrency: config.RECEIPTS_CONCURRENCY,
    lockDurationMs: config.RECEIPTS_LOCK_MS,
  });
  const server = await listen(createServer(receipts.app), config.PORT, config.HOST);
  receipts.start();
  pushes.start();
  logger.info({ port: config.PORT }, 'receipts worker running');
  return {
    logger,
    stop: async () => {
      await closeServer(server);
      await receipts.close();
      await pushes.close();
      await db.destroy();
      redis.disconnect();
      publisher.disconnect();
    },
  };
});
