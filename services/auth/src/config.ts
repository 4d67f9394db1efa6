// The auth service's environment.
import { common, DEV_KEY_DIR, internalTokenVar, parseConfig, readKey } from '@chat/kit';
import path from 'node:path';
import { z } from 'zod';

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const authConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3001),
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_PREFIX: common.REDIS_PREFIX,
  AUTH_PRIVATE_KEY_FILE: z.string().default(path.join(DEV_KEY_DIR, 'jwt-private.pem')),
  AUTH_PUBLIC_KEY_FILE: common.AUTH_PUBLIC_KEY_FILE,
  INTERNAL_TOKEN: internalTokenVar,
  ACCESS_TOKEN_TTL_SECONDS: count(900),
  REFRESH_TOKEN_TTL_DAYS: count(30),
  /** Secure cookies need HTTPS; on by default in production. */
  COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  /** Failed logins per IP / per e-mail, registrations per IP, in each window. Loose defaults for local use. */
  LOGIN_LIMIT_PER_IP: count(1000),
  LOGIN_LIMIT_PER_EMAIL: count(100),
  REGISTER_LIMIT_PER_IP: count(1000),
  RATE_LIMIT_WINDOW_SECONDS: count(60),
};

export type AuthConfig = ReturnType<typeof loadAuthConfig>;

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = parseConfig(authConfigShape, env);
  return {
    ...config,
    privateKey: readKey(config.AUTH_PRIVATE_KEY_FILE, 'AUTH_PRIVATE_KEY_FILE', config.NODE_ENV),
    publicKey: readKey(config.AUTH_PUBLIC_KEY_FILE, 'AUTH_PUBLIC_KEY_FILE', config.NODE_ENV),
    cookieSecure: config.COOKIE_SECURE ? config.COOKIE_SECURE === 'true' : config.NODE_ENV === 'production',
  };
}
