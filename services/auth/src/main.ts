import { createServer } from 'node:http';
import {
  closeRedis,
  closeServer,
  createKnex,
  createLogger,
  createMetrics,
  createRedis,
  listen,
  runService,
  watchEndedSessions,
} from '@chat/kit';
import { createApp } from './app.ts';
import { loadAuthConfig } from './config.ts';
import { ensureDemoUsers } from './domain/demoUsers.ts';

await runService('auth', async () => {
  const config = loadAuthConfig();
  const logger = createLogger('auth', config.LOG_LEVEL);
  const db = createKnex(config.DATABASE_URL, 'auth');
  if (config.demoUsers) await ensureDemoUsers(db);
  const redis = createRedis(config);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis'));
  const endedSessions = watchEndedSessions(redis, createRedis(config), config.REDIS_PREFIX);
  const app = createApp({ db, redis, config, logger, metrics: createMetrics('auth'), endedSessions });
  const server = await listen(createServer(app), config.PORT, config.HOST);
  logger.info({ port: config.PORT }, 'listening');
  return {
    logger,
    stop: async () => {
      await closeServer(server);
      await db.destroy();
      endedSessions.stop();
      await closeRedis(redis);
    },
  };
});
