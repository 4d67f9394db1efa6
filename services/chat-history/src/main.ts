// The chat-history process: chats, members, messages and read cursors over HTTP.
import { createServer } from 'node:http';
import {
  closeServer,
  createKnex,
  createLogger,
  createMetrics,
  createRedis,
  createTokenVerifier,
  listen,
  readKey,
  runService,
} from '@chat/kit';
import { createApp } from './app.ts';
import { loadChatHistoryConfig } from './config.ts';
import { createAuthDirectory } from './directory.ts';
import { createReceiptsQueue } from './receipts/queue.ts';

await runService('chat-history', async () => {
  const config = loadChatHistoryConfig();
  const publicKey = readKey(config.AUTH_PUBLIC_KEY_FILE, 'AUTH_PUBLIC_KEY_FILE', config.NODE_ENV);
  const logger = createLogger('chat-history', config.LOG_LEVEL);
  const db = createKnex(config.DATABASE_URL, 'chat');
  const redis = createRedis(config.REDIS_URL);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const receipts = createReceiptsQueue(redis, config.REDIS_PREFIX);
  const app = createApp({
    db,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    receipts,
    directory: createAuthDirectory(config.AUTH_URL, config.INTERNAL_TOKEN),
    verifyToken: createTokenVerifier(publicKey),
    internalToken: config.INTERNAL_TOKEN,
    logger,
    metrics: createMetrics('chat-history'),
  });
  const server = await listen(createServer(app), config.PORT);
  logger.info({ port: config.PORT }, 'listening');
  return {
    logger,
    stop: async () => {
      await closeServer(server);
      await receipts.close();
      await db.destroy();
      redis.disconnect();
    },
  };
});
