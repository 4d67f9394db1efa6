// The chat-history service's environment.
import { common, internalTokenVar, parseConfig } from '@chat/kit';
import { z } from 'zod';

export const chatHistoryConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3002),
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_PREFIX: common.REDIS_PREFIX,
  AUTH_PUBLIC_KEY_FILE: common.AUTH_PUBLIC_KEY_FILE,
  /** The auth service's internal API, for the user directory. */
  AUTH_URL: z.url().default('http://127.0.0.1:3001'),
  INTERNAL_TOKEN: internalTokenVar,
};

/** Every variable the service reads. */
export const chatHistoryConfigVariables = Object.keys(
  chatHistoryConfigShape,
) as (keyof typeof chatHistoryConfigShape)[];

export type ChatHistoryConfig = ReturnType<typeof loadChatHistoryConfig>;

export function loadChatHistoryConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseConfig(chatHistoryConfigShape, env);
}
