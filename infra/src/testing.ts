// Test support shared by every package: a fresh migrated database and a Redis key prefix per test file.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEV_KEY_DIR, createKnex, type Knex } from '@chat/kit';
import { migrateToLatest } from './migrations.ts';

export const testRedisUrl = () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const serverUrl = () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A unique prefix for Redis keys, channels and queues, so test files run in parallel without colliding. */
export function testPrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export type TestDatabase = { url: string; drop: () => Promise<void> };

/** Creates a new database on the test server, migrates it, and returns its URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  const admin = createKnex(serverUrl(), 'public', { min: 0, max: 1 });
  await admin.raw(`create database ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const db: Knex = createKnex(url.toString(), 'public', { min: 0, max: 1 });
  try {
    await migrateToLatest(db);
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
