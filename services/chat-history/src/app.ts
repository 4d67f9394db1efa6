// The chat-history HTTP app: public REST behind the access token, the internal API behind the internal token.
import {
  checkPostgres,
  checkRedis,
  createServiceApp,
  finishServiceApp,
  type Knex,
  type Logger,
  logOf,
  type Metrics,
  principalOf,
  type Redis,
  requireBearer,
  requireInternal,
  type TokenVerifier,
} from '@chat/kit';
import type { UserDirectory } from './directory.ts';
import type { ChatHistoryDeps } from './domain/deps.ts';
import { createProfileKeeper } from './domain/profiles.ts';
import { createChatEvents } from './events.ts';
import type { ReceiptsQueue } from './receipts/queue.ts';
import { chatRoutes } from './routes/chats.ts';
import { internalRoutes } from './routes/internal.ts';
import { messageRoutes } from './routes/messages.ts';

export type AppDeps = {
  db: Knex;
  /** Publishes broadcasts; also the readiness check. */
  redis: Redis;
  redisPrefix: string;
  receipts: ReceiptsQueue;
  directory: UserDirectory;
  verifyToken: TokenVerifier;
  internalToken: string;
  logger: Logger;
  metrics: Metrics;
};

export function createApp(deps: AppDeps) {
  const domain: ChatHistoryDeps = {
    db: deps.db,
    events: createChatEvents(deps.redis, deps.redisPrefix, deps.logger, deps.metrics),
    directory: deps.directory,
    profiles: createProfileKeeper(deps.db),
    receipts: deps.receipts,
  };
  const app = createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    checks: [
      { name: 'postgres', check: () => checkPostgres(deps.db) },
      { name: 'redis', check: () => checkRedis(deps.redis) },
    ],
  });

  app.use('/internal', requireInternal(deps.internalToken));
  app.use(internalRoutes(domain));

  app.use('/api', requireBearer(deps.verifyToken), async (_req, res, next) => {
    const { userId, displayName } = principalOf(res);
    res.locals.log = logOf(res).child({ userId });
    // member lists show names from the latest token each user came with
    await domain.profiles.remember([{ userId: userId.toLowerCase(), displayName }]);
    next();
  });
  app.use(chatRoutes(domain));
  app.use(messageRoutes(domain));

  return finishServiceApp(app);
}
