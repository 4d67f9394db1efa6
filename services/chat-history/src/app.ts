// The chat-history HTTP app: public REST behind the access token (or a realtime node's internal token naming the user
// it acts for), the membership API behind the internal token.
import {
  checkPostgres,
  checkRedis,
  createRateLimiter,
  createServiceApp,
  finishServiceApp,
  type Knex,
  type Logger,
  logOf,
  type Metrics,
  principalOf,
  RateLimited,
  type Redis,
  requireInternal,
  requireUser,
  type TokenVerifier,
} from '@chat/kit';
import type { UserDirectory } from './directory.ts';
import { Histogram } from 'prom-client';
import { createAdmission } from './domain/admission.ts';
import type { ChatHistoryDeps } from './domain/deps.ts';
import { createPlainSendGroups } from './domain/messages/appendMessage.ts';
import { createProfileKeeper } from './domain/profiles.ts';
import { type ChangePublisher, createChatEvents } from './events.ts';
import type { PushNotifier } from './push/queue.ts';
import type { ReadEnqueuer } from './receipts/queue.ts';
import { changeRoutes } from './routes/changes.ts';
import { chatRoutes } from './routes/chats.ts';
import { internalRoutes } from './routes/internal.ts';
import { messageRoutes } from './routes/messages.ts';
import { pushRoutes } from './routes/push.ts';
import { searchRoutes } from './routes/search.ts';
import type { UploadCatalog } from './uploads.ts';

export type AppDeps = {
  db: Knex;
  /** Publishes broadcasts; also the readiness check. */
  redis: Redis;
  /** The receipts' and pushes' queues' own connection, when they have one: readiness checks it too. */
  queueRedis?: Redis;
  redisPrefix: string;
  receipts: ReadEnqueuer;
  pushes: PushNotifier;
  push: ChatHistoryDeps['push'];
  directory: UserDirectory;
  /** The media service's uploads. */
  uploads: UploadCatalog;
  verifyToken: TokenVerifier;
  internalToken: string;
  logger: Logger;
  metrics: Metrics;
  /** The publisher the relay shares (main.ts makes one); else the app makes its own. */
  events?: ChangePublisher;
  /** Sends per user in a window, over REST and sockets together; none when unset. */
  sendLimit?: { max: number; windowSeconds: number };
  /** Writes per chat: in flight, waiting, and how long one may wait (defaults 4, 200, 3 s). */
  admission?: { inFlight: number; queued: number; waitMs: number };
};

/** Plain sends of one chat written together at most (see sendGroups.ts). */
const SEND_GROUP_SIZE = 64;

export function createApp(deps: AppDeps) {
  const limiter = createRateLimiter(deps.redis, `${deps.redisPrefix}:chat`);
  const { sendLimit } = deps;
  const lineOptions = deps.admission ?? { inFlight: 4, queued: 200, waitMs: 3_000 };
  const events = deps.events ?? createChatEvents(deps.redis, deps.redisPrefix, deps.logger, deps.metrics);
  const admission = createAdmission(lineOptions);
  const groupSize = new Histogram({
    name: 'send_group_size',
    help: 'Plain sends of one chat written together (one statement, one commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [deps.metrics.registry],
  });
  const domain: ChatHistoryDeps = {
    // The per-user send limit is counted in Redis; while Redis is away sends go on uncounted (a send must never
    // depend on Redis: it commits to PostgreSQL and reaches clients through the relay once Redis is back).
    countSend: async (userId) => {
      if (!sendLimit || deps.redis.status !== 'ready') return;
      await limiter.take([{ key: `send:${userId}`, ...sendLimit }]).catch((err: unknown) => {
        if (err instanceof RateLimited) throw err;
        deps.logger.warn({ err: (err as Error).message }, 'send limit not counted; Redis unavailable');
      });
    },
    db: deps.db,
    events,
    directory: deps.directory,
    uploads: deps.uploads,
    logger: deps.logger,
    profiles: createProfileKeeper(deps.db),
    receipts: deps.receipts,
    pushes: deps.pushes,
    push: deps.push,
    admission,
    sendGroups: createPlainSendGroups(
      { db: deps.db, events, admission },
      { maxSize: SEND_GROUP_SIZE, queued: lineOptions.queued, waitMs: lineOptions.waitMs },
      (size) => groupSize.observe(size),
    ),
  };
  const { queueRedis } = deps;
  const app = createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    checks: [
      { name: 'postgres', check: () => checkPostgres(deps.db) },
      { name: 'redis', check: () => checkRedis(deps.redis) },
      ...(queueRedis ? [{ name: 'redis-queues', check: () => checkRedis(queueRedis) }] : []),
    ],
  });

  app.use('/internal', requireInternal(deps.internalToken));
  app.use(internalRoutes(domain));

  app.use('/api', requireUser(deps.verifyToken, deps.internalToken), async (_req, res, next) => {
    const { userId, displayName } = principalOf(res);
    res.locals.log = logOf(res).child({ userId });
    // member lists show names from the latest token each user came with
    await domain.profiles.remember([{ userId: userId.toLowerCase(), displayName }]);
    next();
  });
  app.use(chatRoutes(domain));
  app.use(messageRoutes(domain));
  app.use(changeRoutes(domain));
  app.use(searchRoutes(domain));
  app.use(pushRoutes(domain));

  return finishServiceApp(app);
}
