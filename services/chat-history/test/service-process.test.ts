// The chat-history process: its configuration, readiness and a clean stop.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { DEV_INTERNAL_TOKEN } from '@chat/kit';
import { createTestDatabase, testPrefix, testRedisUrl } from '@chat/infra/testing';
import { describe, expect, it } from 'vitest';
import { chatHistoryConfigVariables, loadChatHistoryConfig } from '../src/config.ts';
import { until } from './support.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const node = path.join(root, 'node_modules/.bin/node');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('configuration', () => {
  it('works for local development with no variables set', () => {
    const config = loadChatHistoryConfig({});
    expect(config).toMatchObject({ PORT: 3002, AUTH_URL: 'http://127.0.0.1:3001', INTERNAL_TOKEN: DEV_INTERNAL_TOKEN });
    expect(chatHistoryConfigVariables).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_PREFIX', 'AUTH_URL']));
  });

  it('refuses the development internal token in production, and names a bad variable', () => {
    expect(() => loadChatHistoryConfig({ NODE_ENV: 'production' })).toThrow(/INTERNAL_TOKEN/);
    expect(() => loadChatHistoryConfig({ AUTH_URL: 'not a url' })).toThrow(/AUTH_URL/);
  });
});

describe('process', () => {
  it('stops at start with one line naming a bad variable', async () => {
    const proc = spawn(node, ['services/chat-history/src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(proc, 'exit');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^chat-history: invalid configuration: PORT/);
  });

  it('answers ready with its PostgreSQL and Redis, and exits 0 on SIGTERM', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const proc = spawn(node, ['services/chat-history/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: database.url,
        REDIS_URL: testRedisUrl(),
        REDIS_PREFIX: testPrefix(),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    try {
      await until(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return res?.status === 200;
      });
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await database.drop();
    }
  });
});
