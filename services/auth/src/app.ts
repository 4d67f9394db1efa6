import {
  checkPostgres,
  checkRedis,
  createServiceApp,
  finishServiceApp,
  type Knex,
  type Logger,
  type Metrics,
  type Redis,
} from '@chat/kit';
import cookieParser from 'cookie-parser';
import type { AuthConfig } from './config.ts';
import { createRateLimits } from './domain/rateLimits.ts';
import { createPassport } from './passport.ts';
import { sessionRoutes } from './routes/session.ts';
import { userRoutes } from './routes/users.ts';

export type AuthAppDeps = { db: Knex; redis: Redis; config: AuthConfig; logger: Logger; metrics: Metrics };

export function createApp({ db, redis, config, logger, metrics }: AuthAppDeps) {
  const app = createServiceApp({
    logger,
    metrics,
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
    passport: createPassport(db, config.publicKey),
    limits: createRateLimits(redis, config.REDIS_PREFIX),
  };
  app.use(sessionRoutes(deps));
  app.use(userRoutes(deps));
  return finishServiceApp(app);
}
