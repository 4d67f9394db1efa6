// Test support shared by every package: a fresh migrated database and a Redis key prefix per test file.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKnex, DEV_KEY_DIR, type Knex } from '@chat/kit';
import { migrateToLatest } from './migrations.ts';
import { redisAnswers } from './redis-server.ts';

export const testRedisUrl = () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const serverUrl = () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A unique prefix for Redis keys, channels and queues, so test files run in parallel without colliding. */
export function testPrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export type TestDatabase = { url: string; drop: () => Promise<void> };

/**
 * Creates a new database on the test server, migrates it (unless `migrate: false`), and returns its URL.
 * `locale: 'C'` makes it with the C locale (byte order, no case mapping beyond ASCII), to show a query right on any
 * server.
 */
export async function createTestDatabase({
  locale,
  migrate = true,
}: {
  locale?: 'C';
  migrate?: boolean;
} = {}): Promise<TestDatabase> {
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  const admin = createKnex(serverUrl(), 'public', { min: 0, max: 1 });
  await admin.raw(
    locale ? `create database ${name} template template0 encoding 'UTF8' locale 'C'` : `create database ${name}`,
  );
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const db: Knex = createKnex(url.toString(), 'public', { min: 0, max: 1 });
  try {
    if (migrate) await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return {
    url: url.toString(),
    drop: async () => {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

export const devKeys = {
  privateKeyFile: path.join(DEV_KEY_DIR, 'jwt-private.pem'),
  publicKeyFile: path.join(DEV_KEY_DIR, 'jwt-public.pem'),
  publicKey: () => readFileSync(path.join(DEV_KEY_DIR, 'jwt-public.pem'), 'utf8'),
  privateKey: () => readFileSync(path.join(DEV_KEY_DIR, 'jwt-private.pem'), 'utf8'),
};

/** Polls a condition that has no event to await (a row in PostgreSQL, a queue count). */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 20_000, everyMs = 25) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** A redis-server of the test's own (with append-only persistence, as in production), so it can be restarted. */
export async function startRedisServer() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess;
  const start = async () => {
    proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
      {
        stdio: 'ignore',
      },
    );
    await until(() => redisAnswers(url), 10_000);
  };
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    await once(proc, 'exit');
  };
  await start();
  const restart = async () => {
    await stop();
    await start();
  };
  return { url, stop, restart };
}
