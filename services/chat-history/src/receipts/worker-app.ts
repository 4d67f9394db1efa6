// The receipts worker: takes read jobs from BullMQ in batches, writes the cursors, then announces the receipts.
import {
  checkPostgres,
  closeQueue,
  checkRedis,
  createServiceApp,
  finishServiceApp,
  type Knex,
  type Logger,
  type Metrics,
  queuePrefix,
  type Redis,
} from '@chat/kit';
import { createChatEvents } from '../events.ts';
import { type Job, Worker } from 'bullmq';
import { Gauge, Histogram } from 'prom-client';
import { Batcher } from '../batcher.ts';
import { type Advanced, advanceReadCursors, coalesce } from './persist.ts';
import { createReceiptsQueue, RECEIPTS_QUEUE, type Read, type ReceiptJob, readsOf } from './queue.ts';

export type ReceiptsWorkerDeps = {
  db: Knex;
  /** For BullMQ: must have maxRetriesPerRequest null. */
  redis: Redis;
  /** For the Socket.IO emitter and readiness. */
  publisher: Redis;
  redisPrefix: string;
  logger: Logger;
  metrics: Metrics;
  batchSize?: number;
  batchWaitMs?: number;
  concurrency?: number;
  /** How long a job may stay active before another worker takes it back (after a crash). */
  lockDurationMs?: number;
};

function receiptMetrics(metrics: Metrics, depth: () => Promise<number>) {
  const registers = [metrics.registry];
  return {
    batchSize: new Histogram({
      name: 'receipts_batch_size',
      help: 'Reads written per batch',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000],
      registers,
    }),
    lag: new Histogram({
      name: 'receipts_lag_seconds',
      help: 'Time from enqueue to committed read cursor',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    depth: new Gauge({
      name: 'receipts_queue_depth',
      help: 'Receipt jobs waiting in the queue (a job carries the reads that arrived together)',
      registers,
      async collect() {
        this.set(await depth());
      },
    }),
  };
}

export function createReceiptsWorker(deps: ReceiptsWorkerDeps) {
  const { db, redis, publisher, redisPrefix, logger } = deps;
  const queue = createReceiptsQueue(redis, redisPrefix);
  const events = createChatEvents(publisher, redisPrefix, logger, deps.metrics);
  const measure = receiptMetrics(deps.metrics, async () => {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  });

  const batcher = new Batcher<Read, Advanced[]>({
    maxSize: deps.batchSize ?? 500,
    maxWaitMs: deps.batchWaitMs ?? 20,
    write: async (reads) => {
      const advanced = await advanceReadCursors(db, [...coalesce(reads).values()]);
      const now = Date.now();
      measure.batchSize.observe(reads.length);
      for (const read of reads) measure.lag.observe((now - read.enqueuedAt) / 1000);
      await events.receipts(advanced);
      logger.debug({ reads: reads.length, advanced: advanced.length }, 'receipts batch committed');
      return advanced;
    },
  });

  // a job settles when every batch holding one of its reads has committed
  const persist = async (job: Job<ReceiptJob>) =>
    void (await Promise.all(readsOf(job.data).map((r) => batcher.add(r))));
  const worker = new Worker<ReceiptJob>(RECEIPTS_QUEUE, persist, {
    connection: redis,
    prefix: queuePrefix(redis, redisPrefix, RECEIPTS_QUEUE),
    concurrency: deps.concurrency ?? 1000,
    lockDuration: deps.lockDurationMs ?? 30_000,
    stalledInterval: deps.lockDurationMs ?? 30_000,
    autorun: false,
  });
  worker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'receipt job failed'),
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'receipts worker error'));

  const app = createServiceApp({
    logger,
    metrics: deps.metrics,
    checks: [
      { name: 'postgres', check: () => checkPostgres(db) },
      { name: 'redis', check: () => checkRedis(publisher) },
    ],
  });
  finishServiceApp(app);

  return {
    app,
    worker,
    queue,
    start: () => void worker.run(),
    /** Stops taking jobs and lets the jobs it holds commit (their batch is flushed at once). */
    async close() {
      const closing = closeQueue(worker);
      await batcher.drain();
      await closing;
      await closeQueue(queue);
    },
  };
}
