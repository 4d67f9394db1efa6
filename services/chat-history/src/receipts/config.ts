// The receipts worker's environment.
import { common } from '@chat/kit';
import { z } from 'zod';

export const receiptsWorkerConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3005),
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_PREFIX: common.REDIS_PREFIX,
  RECEIPTS_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  RECEIPTS_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(20),
  RECEIPTS_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(1000),
  RECEIPTS_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
};
