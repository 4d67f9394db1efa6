import { closeRedis, createLogger, createMetrics, createRedis, listen, runService } from '@chat/kit';
import { createApp } from './app.ts';
import { httpChatHistory } from './chatHistory.ts';
import { loadRealtimeConfig } from './config.ts';

await runService('realtime', async () => {
  const config = loadRealtimeConfig();
  const logger = createLogger('realtime', config.LOG_LEVEL).child({ nodeId: config.nodeId });
  const redis = createRedis(config);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis'));
  const node = createApp({
    config,
    redis,
    logger,
    metrics: createMetrics('realtime'),
    chatHistory: httpChatHistory(config.CHAT_HISTORY_URL, config.INTERNAL_TOKEN),
  });
  await listen(node.httpServer, config.PORT, config.HOST);
  logger.info({ port: config.PORT }, 'listening');
  return {
    logger,
    stop: async () => {
      await node.close();
      await closeRedis(redis);
    },
  };
});
