import { closeServer, createLogger, createMetrics, listen, runService } from '@chat/kit';
import { createGateway } from './app.ts';
import { loadGatewayConfig } from './config.ts';

await runService('gateway', async () => {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const { server } = createGateway({ config, logger, metrics: createMetrics('gateway') });
  await listen(server, config.PORT);
  logger.info({ port: config.PORT, realtime: config.REALTIME_URLS }, 'listening');
  return { logger, stop: () => closeServer(server) };
});
