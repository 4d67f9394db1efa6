// The media HTTP app: uploads and files behind the access token, the uploads API for chat-history behind the internal
// token.
import {
  checkPostgres,
  checkRedis,
  createServiceApp,
  finishServiceApp,
  type Knex,
  type Logger,
  type Metrics,
  type Redis,
  requireBearer,
  requireInternal,
  type TokenVerifier,
} from '@chat/kit';
import type { PurgeQueue } from './domain/purge.ts';
import type { ChatViewers } from './domain/viewers.ts';
import type { MediaDeps } from './routes/deps.ts';
import { fileRoutes } from './routes/files.ts';
import { internalRoutes } from './routes/internal.ts';
import { uploadRoutes } from './routes/uploads.ts';
import type { Storage } from './storage/storage.ts';

export type MediaAppDeps = {
  db: Knex;
  /** The purge queue's connection; also the readiness check. */
  redis: Redis;
  storage: Storage;
  viewers: ChatViewers;
  purges: PurgeQueue;
  verifyToken: TokenVerifier;
  internalToken: string;
  logger: Logger;
  metrics: Metrics;
  limits: MediaDeps['limits'];
  trustedProxies?: string[];
};

export function createApp(deps: MediaAppDeps) {
  const app = createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    trustedProxies: deps.trustedProxies,
    checks: [
      { name: 'postgres', check: () => checkPostgres(deps.db) },
      { name: 'redis', check: () => checkRedis(deps.redis) },
      { name: 'storage', check: () => deps.storage.check() },
    ],
  });
  const domain: MediaDeps = {
    db: deps.db,
    storage: deps.storage,
    viewers: deps.viewers,
    purges: deps.purges,
    logger: deps.logger,
    metrics: deps.metrics,
    limits: deps.limits,
  };
  app.use('/internal', requireInternal(deps.internalToken));
  app.use(internalRoutes(domain));
  app.use('/api', requireBearer(deps.verifyToken));
  app.use(uploadRoutes(domain));
  app.use(fileRoutes(domain));
  return finishServiceApp(app);
}
