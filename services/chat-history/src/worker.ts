// The receipts worker process: persists read cursors from the "receipts" queue in batches.
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
import { receiptsWorkerConfigShape } from './receipts/config.ts';
import { createReceiptsWorker } from './receipts/worker-app.ts';

await runService('receipts', async () => {
  const config = parseConfig(receiptsWorkerConfigShape);
  const logger = createLogger('receipts', config.LOG_LEVEL);
  const db = createKnex(config.DATABASE_URL, 'chat');
  const redis = createRedis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const publisher = createRedis(config.REDIS_URL);
  const receipts = createReceiptsWorker({
    db,
    redis,
    publisher,
    redisPrefix: config.REDIS_PREFIX,
    logger,
    metrics: createMetrics('receipts'),
    batchSize: config.RECEIPTS_BATCH_SIZE,
    batchWaitMs: config.RECEIPTS_BATCH_WAIT_MS,
    concurrency: config.RECEIPTS_CONCURRENCY,
    lockDurationMs: config.RECEIPTS_LOCK_MS,
  });
  const server = await listen(createServer(receipts.app), config.PORT);
  receipts.start();
  logger.info({ port: config.PORT }, 'receipts worker running');
  return {
    logger,
    stop: async () => {
      await closeServer(server);
      await receipts.close();
      await db.destroy();
      redis.disconnect();
      publisher.disconnect();
    },
  };
});
