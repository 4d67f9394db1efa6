// The auth service's environment.
import { ConfigError, common, DEV_KEY_DIR, internalTokenVar, parseConfig, readKey } from '@chat/kit';
import path from 'node:path';
import { z } from 'zod';

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const authConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3001),
  HOST: common.HOST,
  /** A service behind the gateway on the same host believes it; in containers, set the gateway's network. */
  TRUSTED_PROXIES: common.trustedProxies('loopback'),
  DATABASE_URL: common.DATABASE_URL,
  REDIS_URL: common.REDIS_URL,
  REDIS_CLUSTER_NODES: common.REDIS_CLUSTER_NODES,
  REDIS_PREFIX: common.REDIS_PREFIX,
  AUTH_PRIVATE_KEY_FILE: z.string().default(path.join(DEV_KEY_DIR, 'jwt-private.pem')),
  AUTH_PUBLIC_KEY_FILE: common.AUTH_PUBLIC_KEY_FILE,
  INTERNAL_TOKEN: internalTokenVar,
  ACCESS_TOKEN_TTL_SECONDS: count(900),
  REFRESH_TOKEN_TTL_DAYS: count(30),
  /** Secure cookies need HTTPS; on by default in production. */
  COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  /**
   * Login attempts per IP and per e-mail (successful ones are not counted), registrations per IP, in each window.
   * Unset: strict in production, loose for local use and tests (see productionLimits).
   */
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).optional(),
  LOGIN_LIMIT_PER_EMAIL: z.coerce.number().int().min(1).optional(),
  REGISTER_LIMIT_PER_IP: z.coerce.number().int().min(1).optional(),
  RATE_LIMIT_WINDOW_SECONDS: count(60),
  /** Failed logins in a row an account takes before each next attempt waits: 1 s, doubling, at most the longest. */
  LOGIN_FREE_FAILURES: count(5),
  LOGIN_FIRST_DELAY_MS: count(1_000),
  LOGIN_LONGEST_DELAY_SECONDS: count(30),
  /** Failures in a row are forgotten after this long without one. */
  LOGIN_FAILURES_FORGOTTEN_SECONDS: count(900),
  /** Creates the demo accounts at start (local runs and tests); production refuses it. */
  DEMO_USERS: z.enum(['true', 'false']).default('false'),
};

/** Limits per window (RATE_LIMIT_WINDOW_SECONDS) when unset: production's, and development's and tests'. */
const productionLimits = { LOGIN_LIMIT_PER_IP: 50, LOGIN_LIMIT_PER_EMAIL: 20, REGISTER_LIMIT_PER_IP: 10 };
const developmentLimits = { LOGIN_LIMIT_PER_IP: 1000, LOGIN_LIMIT_PER_EMAIL: 100, REGISTER_LIMIT_PER_IP: 1000 };

export type AuthConfig = ReturnType<typeof loadAuthConfig>;

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = parseConfig(authConfigShape, env);
  if (config.NODE_ENV === 'production' && config.DEMO_USERS === 'true')
    throw new ConfigError('invalid configuration: DEMO_USERS: demo accounts must not exist in production');
  const limits = config.NODE_ENV === 'production' ? productionLimits : developmentLimits;
  return {
    ...config,
    LOGIN_LIMIT_PER_IP: config.LOGIN_LIMIT_PER_IP ?? limits.LOGIN_LIMIT_PER_IP,
    LOGIN_LIMIT_PER_EMAIL: config.LOGIN_LIMIT_PER_EMAIL ?? limits.LOGIN_LIMIT_PER_EMAIL,
    REGISTER_LIMIT_PER_IP: config.REGISTER_LIMIT_PER_IP ?? limits.REGISTER_LIMIT_PER_IP,
    loginPace: {
      freeFailures: config.LOGIN_FREE_FAILURES,
      firstDelayMs: config.LOGIN_FIRST_DELAY_MS,
      longestDelayMs: config.LOGIN_LONGEST_DELAY_SECONDS * 1000,
      forgetAfterMs: config.LOGIN_FAILURES_FORGOTTEN_SECONDS * 1000,
    },
    privateKey: readKey(config.AUTH_PRIVATE_KEY_FILE, 'AUTH_PRIVATE_KEY_FILE', config.NODE_ENV),
    publicKey: readKey(config.AUTH_PUBLIC_KEY_FILE, 'AUTH_PUBLIC_KEY_FILE', config.NODE_ENV),
    demoUsers: config.DEMO_USERS === 'true',
    cookieSecure: config.COOKIE_SECURE ? config.COOKIE_SECURE === 'true' : config.NODE_ENV === 'production',
  };
}
