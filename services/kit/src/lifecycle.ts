// Process life of a service: start, report a bad configuration in one line, stop cleanly on SIGTERM/SIGINT.
import { ConfigError } from './config.ts';
import type { Logger } from './logger.ts';

export type Running = { logger: Logger; stop: () => Promise<void> };

const STOP_TIMEOUT_MS = 10_000;

export async function runService(name: string, start: () => Promise<Running>): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `failed to start: ${(err as Error)?.message ?? err}`;
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  }
  const { logger } = running;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('stop timed out, exiting');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    timer.unref();
    try {
      await running.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'stop failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // started by the launcher: stop when it goes away
  if (process.send) process.on('disconnect', () => void stop('launcher gone'));
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    void stop('unhandledRejection');
  });
}
