// The chat-history process: chats, members, messages and read cursors over HTTP.
import { createServer } from 'node:http';
import {
  closeRedis,
  closeServer,
  createKnex,
  createLogger,
  createMetrics,
  createRedis,
  createTokenVerifier,
  listen,
  readKey,
  runService,
  watchEndedSessions,
} from '@chat/kit';
import { createApp } from './app.ts';
import { loadChatHistoryConfig } from './config.ts';
import { createAuthDirectory } from './directory.ts';
import { createChatEvents } from './events.ts';
import { createRelay } from './feed/relay.ts';
import { startRetention } from './feed/retention.ts';
import { createPushNotifier, createPushQueue } from './push/queue.ts';
import { readVapidKeys } from './push/vapid.ts';
import { createReceiptsQueue, ReadEnqueuer } from './receipts/queue.ts';
import { createMediaCatalog } from './uploads.ts';

await runService('chat-history', async () => {
  const config = loadChatHistoryConfig();
  const publicKey = readKey(config.AUTH_PUBLIC_KEY_FILE, 'AUTH_PUBLIC_KEY_FILE', config.NODE_ENV);
  const logger = createLogger('chat-history', config.LOG_LEVEL);
  const db = createKnex(config.DATABASE_URL, 'chat');
  // The commands of one turn of the event loop go to Redis in one write: a group of sends counts each sender's limit
  // and publishes each message, one command each. The queues keep a connection of their own, without that: BullMQ's
  // commands are not known to be safe in an automatic pipeline.
  const redis = createRedis(config, { enableAutoPipelining: true });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const queues = createRedis(config);
  queues.on('error', (err) => logger.warn({ err: err.message }, 'redis error (queues)'));
  const receipts = new ReadEnqueuer(createReceiptsQueue(queues, config.REDIS_PREFIX));
  const pushes = createPushNotifier(createPushQueue(queues, config.REDIS_PREFIX), logger);
  const vapid = readVapidKeys(config.VAPID_KEYS_FILE, config.NODE_ENV);
  const metrics = createMetrics('chat-history');
  const events = createChatEvents(redis, config.REDIS_PREFIX, logger, metrics);
  const endedSessions = watchEndedSessions(redis, createRedis(config), config.REDIS_PREFIX);
  const app = createApp({
    events,
    admission: {
      inFlight: config.CHAT_WRITES_IN_FLIGHT,
      queued: config.CHAT_WRITES_QUEUED,
      waitMs: config.CHAT_WRITE_WAIT_MS,
    },
    sendLimit: { max: config.SEND_LIMIT_PER_USER, windowSeconds: config.SEND_LIMIT_WINDOW_SECONDS },
    db,
    redis,
    queueRedis: queues,
    redisPrefix: config.REDIS_PREFIX,
    receipts,
    pushes,
    push: { publicKey: vapid.publicKey, allowLocalEndpoints: config.NODE_ENV !== 'production' },
    directory: createAuthDirectory(config.AUTH_URL, config.INTERNAL_TOKEN),
    uploads: createMediaCatalog(config.MEDIA_URL, config.INTERNAL_TOKEN),
    verifyToken: createTokenVerifier(publicKey, endedSessions),
    internalToken: config.INTERNAL_TOKEN,
    logger,
    metrics,
  });
  const server = await listen(createServer(app), config.PORT, config.HOST);
  logger.info({ port: config.PORT }, 'listening');
  const relay = createRelay(
    { db, events, logger, metrics },
    { intervalMs: config.RELAY_INTERVAL_MS, graceMs: config.RELAY_GRACE_MS, lookbackMs: 10 * 60_000 },
  );
  relay.start();
  const retention = startRetention(db, config.CHANGES_RETENTION_DAYS, 3_600_000, logger);
  return {
    logger,
    stop: async () => {
      retention.stop();
      await relay.stop();
      await closeServer(server);
      await receipts.close();
      await pushes.close();
      await db.destroy();
      endedSessions.stop();
      await closeRedis(redis);
      await closeRedis(queues);
    },
  };
});
