// The media process: uploads and files over HTTP, and the worker that purges released uploads.
import { createServer } from 'node:http';
import {
  closeQueue,
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
import { loadMediaConfig } from './config.ts';
import { createPurgeQueue, createPurgeWorker } from './domain/purge.ts';
import { createChatViewers } from './domain/viewers.ts';
import { createStorage } from './storage/storage.ts';

await runService('media', async () => {
  const config = loadMediaConfig();
  const publicKey = readKey(config.AUTH_PUBLIC_KEY_FILE, 'AUTH_PUBLIC_KEY_FILE', config.NODE_ENV);
  const logger = createLogger('media', config.LOG_LEVEL);
  const db = createKnex(config.DATABASE_URL, 'media');
  const redis = createRedis(config);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis'));
  const storage = createStorage(config);
  const purges = createPurgeQueue(redis, config.REDIS_PREFIX);
  const endedSessions = watchEndedSessions(redis, createRedis(config), config.REDIS_PREFIX);
  const app = createApp({
    db,
    redis,
    storage,
    viewers: createChatViewers(config.CHAT_HISTORY_URL, config.INTERNAL_TOKEN),
    purges,
    verifyToken: createTokenVerifier(publicKey, endedSessions),
    internalToken: config.INTERNAL_TOKEN,
    logger,
    metrics: createMetrics('media'),
    trustedProxies: config.TRUSTED_PROXIES,
    limits: {
      maxUploadBytes: config.MEDIA_MAX_UPLOAD_BYTES,
      uploadsPerUser: config.MEDIA_UPLOADS_PER_USER,
      purgeGraceMs: config.MEDIA_PURGE_GRACE_SECONDS * 1000,
    },
  });
  const worker = createPurgeWorker({
    connection: createRedis(config, { maxRetriesPerRequest: null }),
    redisPrefix: config.REDIS_PREFIX,
    db,
    storage,
    logger,
  });
  const server = await listen(createServer(app), config.PORT, config.HOST);
  logger.info({ port: config.PORT, storage: config.MEDIA_STORAGE }, 'listening');
  return {
    logger,
    stop: async () => {
      await closeServer(server);
      await closeQueue(worker);
      await closeQueue(purges);
      await db.destroy();
      endedSessions.stop();
      redis.disconnect();
    },
  };
});
