import { closeServer, createLogger, createMetrics, listen, runService } from '@chat/kit';
import { createGateway } from './app.ts';
import { loadGatewayConfig } from './config.ts';

await runService('gateway', async () => {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const { server, operations } = createGateway({ config, logger, metrics: createMetrics('gateway') });
  const shared = { reusePort: config.REUSE_PORT === 'true' };
  await listen(server, config.PORT, config.HOST, shared);
  if (config.OPS_PORT) await listen(operations, config.OPS_PORT, config.OPS_HOST, shared);
  logger.info({ port: config.PORT, opsPort: config.OPS_PORT, realtime: config.REALTIME_URLS }, 'listening');
  return {
    logger,
    stop: async () => {
      await Promise.all([closeServer(server), closeServer(operations)]);
    },
  };
});
