// The chat-history service's environment.
import { common, internalTokenVar, parseConfig } from '@chat/kit';
import { z } from 'zod';
import { DEV_VAPID_KEYS_FILE } from './push/vapid.ts';

export const chatHistoryConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3002),
  HOST: common.HOST,
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_CLUSTER_NODES: common.REDIS_CLUSTER_NODES,
  REDIS_PREFIX: common.REDIS_PREFIX,
  AUTH_PUBLIC_KEY_FILE: common.AUTH_PUBLIC_KEY_FILE,
  /** The auth service's internal API, for the user directory. */
  AUTH_URL: z.url().default('http://127.0.0.1:3001'),
  /** The media service's internal API, for the uploads sent as attachments. */
  MEDIA_URL: z.url().default('http://127.0.0.1:3006'),
  INTERNAL_TOKEN: internalTokenVar,
  /** Changes are kept this long; a client holding an older rev reloads the chat (410 resync_required). */
  CHANGES_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(30),
  /** The relay's pass interval, and how old a change must be before the relay publishes it again. */
  RELAY_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  RELAY_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  /** Writes of one chat: how many run at once, how many wait behind them, and for how long (then: unavailable). */
  CHAT_WRITES_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(4),
  CHAT_WRITES_QUEUED: z.coerce.number().int().min(0).max(10_000).default(200),
  CHAT_WRITE_WAIT_MS: z.coerce.number().int().min(10).max(60_000).default(3_000),
  /** Messages one user may send (REST and sockets together, on every node) per window. */
  SEND_LIMIT_PER_USER: z.coerce.number().int().min(1).default(300),
  SEND_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /** The VAPID key pair for Web Push (JSON {publicKey, privateKey}); production refuses the development pair. */
  VAPID_KEYS_FILE: z.string().default(DEV_VAPID_KEYS_FILE),
};

/** Every variable the service reads. */
export const chatHistoryConfigVariables = Object.keys(
  chatHistoryConfigShape,
) as (keyof typeof chatHistoryConfigShape)[];

export type ChatHistoryConfig = ReturnType<typeof loadChatHistoryConfig>;

export function loadChatHistoryConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseConfig(chatHistoryConfigShape, env);
}
