// The media service's environment.
import path from 'node:path';
import { common, internalTokenVar, parseConfig, repoRoot } from '@chat/kit';
import { z } from 'zod';

const MiB = 1024 * 1024;
/** Compose passes an unset variable as an empty string: that means unset. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

export const mediaConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3006),
  HOST: common.HOST,
  TRUSTED_PROXIES: common.trustedProxies('loopback'),
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_CLUSTER_NODES: common.REDIS_CLUSTER_NODES,
  REDIS_PREFIX: common.REDIS_PREFIX,
  AUTH_PUBLIC_KEY_FILE: common.AUTH_PUBLIC_KEY_FILE,
  INTERNAL_TOKEN: internalTokenVar,
  /** chat-history's internal API: who may see an upload posted in a chat. */
  CHAT_HISTORY_URL: z.url().default('http://127.0.0.1:3002'),
  /** Where the bytes go: a directory on this machine, or an S3-compatible bucket. */
  MEDIA_STORAGE: z.enum(['local', 's3']).default('local'),
  MEDIA_DATA_DIR: z.string().min(1).default(path.join(repoRoot, '.data/media')),
  MEDIA_S3_ENDPOINT: unsetIfEmpty(z.url().optional()),
  MEDIA_S3_BUCKET: z.string().min(1).default('chat-media'),
  MEDIA_S3_REGION: z.string().min(1).default('us-east-1'),
  MEDIA_S3_ACCESS_KEY_ID: unsetIfEmpty(z.string().optional()),
  MEDIA_S3_SECRET_ACCESS_KEY: unsetIfEmpty(z.string().optional()),
  MEDIA_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  /** The largest file one upload may carry. */
  MEDIA_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(5 * 1024 * MiB)
    .default(25 * MiB),
  /** Uploads one user may have in flight at once on one node. */
  MEDIA_UPLOADS_PER_USER: z.coerce.number().int().min(1).max(100).default(4),
  /** How long the bytes of a deleted message's attachments stay before the purge job removes them. */
  MEDIA_PURGE_GRACE_SECONDS: z.coerce.number().int().min(0).default(86_400),
};

/** Every variable the service reads. */
export const mediaConfigVariables = Object.keys(mediaConfigShape) as (keyof typeof mediaConfigShape)[];

export type MediaConfig = ReturnType<typeof loadMediaConfig>;

export function loadMediaConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseConfig(mediaConfigShape, env);
}
