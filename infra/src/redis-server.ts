// The launcher's Redis: REDIS_URL when something answers there, else a redis-server child with its files in the data folder.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@chat/kit';
import { Redis } from 'ioredis';

export type RunningRedis = { url: string; stop: () => Promise<void> };

/** One command on a connection of its own that gives up at once when nothing answers (throws then). */
export async function askRedis(url: string, command: string, ...args: string[]): Promise<unknown> {
  const client = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  return askRedis(url, 'PING').then(
    () => true,
    () => false,
  );
}

const HOW_TO_GET_REDIS = [
  'Redis is needed and nothing answers at REDIS_URL.',
  'Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`),',
  'or run it in Docker (`docker run -d -p 6379:6379 redis:7`), or set REDIS_URL to a Redis you have.',
].join('\n');

export async function startRedis(url: string, dataDir: string, log: Logger): Promise<RunningRedis> {
  if (await redisAnswers(url)) return { url, stop: async () => {} };
  const parsed = new URL(url);
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (!local || spawnSync('redis-server', ['--version']).status !== 0) throw new Error(HOW_TO_GET_REDIS);
  const dir = path.join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = parsed.port || '6379';
  let stopping = false;
  let child: ChildProcess;
  // the launcher started it, so the launcher keeps it running: a redis-server that dies is started again (its
  // append-only file brings back the queues)
  const run = () => {
    child = spawn(
      'redis-server',
      ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
      { stdio: 'ignore' },
    );
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log.warn({ code, signal }, 'redis-server exited; starting it again');
      setTimeout(run, 1_000).unref();
    });
  };
  run();
  for (let i = 0; i < 50 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers(url))) throw new Error(`redis-server did not start on port ${port}`);
  log.info({ port, dir }, 'redis-server running');
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
