import {
  checkPostgres,
  checkRedis,
  createTokenVerifier,
  type EndedSessions,
  createServiceApp,
  finishServiceApp,
  type Knex,
  type Logger,
  type Metrics,
  type Redis,
  watchEndedSessions,
} from '@chat/kit';
import cookieParser from 'cookie-parser';
import type { AuthConfig } from './config.ts';
import { createRateLimits } from './domain/rateLimits.ts';
import { bearerUser, createPassport } from './passport.ts';
import { sessionRoutes } from './routes/session.ts';
import { userRoutes } from './routes/users.ts';

export type AuthAppDeps = {
  db: Knex;
  redis: Redis;
  config: AuthConfig;
  logger: Logger;
  metrics: Metrics;
  /** Sessions ended anywhere; by default watched on a connection of its own. */
  endedSessions?: EndedSessions;
};

export function createApp({ db, redis, config, logger, metrics, endedSessions }: AuthAppDeps) {
  const app = createServiceApp({
    logger,
    metrics,
    trustedProxies: config.TRUSTED_PROXIES,
    checks: [
      { name: 'postgres', check: () => checkPostgres(db) },
      { name: 'redis', check: () => checkRedis(redis) },
    ],
  });
  app.use(cookieParser());
  const deps = {
    db,
    redis,
    config,
    logger,
    passport: createPassport(db),
    bearer: bearerUser(
      db,
      createTokenVerifier(
        config.publicKey,
        endedSessions ?? watchEndedSessions(redis, redis.duplicate(), config.REDIS_PREFIX),
      ),
    ),
    limits: createRateLimits(redis, config.REDIS_PREFIX),
  };
  app.use(sessionRoutes(deps));
  app.use(userRoutes(deps));
  return finishServiceApp(app);
}
