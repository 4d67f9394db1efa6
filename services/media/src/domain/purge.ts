// Released uploads (their message was deleted) are purged after a grace period: a delayed BullMQ job per upload
// removes the stored bytes, then the row. Jobs are idempotent: a retry finds less to remove.
import { type Knex, type Logger, queuePrefix, type Redis } from '@chat/kit';
import { Queue, Worker } from 'bullmq';
import { deleteUploadRow, markReleased, uploadRow } from '../db/uploads.ts';
import type { Storage } from '../storage/storage.ts';

export const PURGE_QUEUE = 'media-purge';

type PurgeJob = { uploadId: string };

export function createPurgeQueue(connection: Redis, redisPrefix: string) {
  return new Queue<PurgeJob>(PURGE_QUEUE, {
    connection,
    prefix: queuePrefix(connection, redisPrefix, PURGE_QUEUE),
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: true,
      removeOnFail: { count: 10_000 },
    },
  });
}

export type PurgeQueue = ReturnType<typeof createPurgeQueue>;

/** Nobody sees the uploads from now on; their bytes go once `graceMs` has passed. */
export async function releaseUploads(deps: { db: Knex; purges: PurgeQueue; graceMs: number }, ids: string[]) {
  const released = await markReleased(deps.db, ids);
  await deps.purges.addBulk(
    released.map((uploadId) => ({
      name: 'purge',
      data: { uploadId },
      opts: { delay: deps.graceMs, jobId: `purge-${uploadId}` },
    })),
  );
}

export async function purgeUpload(deps: { db: Knex; storage: Storage }, uploadId: string) {
  const row = await uploadRow(deps.db, uploadId);
  if (!row?.released_at) return;
  if (row.thumbnail_key) await deps.storage.remove(row.thumbnail_key);
  await deps.storage.remove(row.storage_key);
  await deleteUploadRow(deps.db, uploadId);
}

export function createPurgeWorker(deps: {
  /** A connection of its own, with maxRetriesPerRequest: null as BullMQ workers need. */
  connection: Redis;
  redisPrefix: string;
  db: Knex;
  storage: Storage;
  logger: Logger;
}) {
  const worker = new Worker<PurgeJob>(
    PURGE_QUEUE,
    async (job) => {
      await purgeUpload(deps, job.data.uploadId);
      deps.logger.info({ uploadId: job.data.uploadId }, 'upload purged');
    },
    {
      connection: deps.connection,
      prefix: queuePrefix(deps.connection, deps.redisPrefix, PURGE_QUEUE),
      concurrency: 4,
    },
  );
  worker.on('failed', (job, err) => deps.logger.warn({ uploadId: job?.data.uploadId, err: err.message }, 'purge'));
  return worker;
}
