// The worker process's environment: the receipts worker and the push worker.
import { common } from '@chat/kit';
import { z } from 'zod';
import { DEV_VAPID_KEYS_FILE } from '../push/vapid.ts';

export const receiptsWorkerConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3005),
  HOST: common.HOST,
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_CLUSTER_NODES: common.REDIS_CLUSTER_NODES,
  REDIS_PREFIX: common.REDIS_PREFIX,
  RECEIPTS_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  RECEIPTS_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(20),
  RECEIPTS_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(1000),
  RECEIPTS_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  VAPID_KEYS_FILE: z.string().default(DEV_VAPID_KEYS_FILE),
  /** Who push services may contact about this server's pushes. */
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, 'must be a mailto: or https: URL')
    .default('mailto:admin@localhost'),
  PUSH_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(50),
};
