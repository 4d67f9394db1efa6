// Test support for auth: the real app on an ephemeral port with a fresh database and its own Redis prefix.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeRedis, closeServer, createKnex, createLogger, createMetrics, createRedis, listen } from '@chat/kit';
import { createTestDatabase, devKeys, testPrefix, testRedisUrl } from '@chat/infra/testing';
import { createApp } from '../src/app.ts';
import { loadAuthConfig } from '../src/config.ts';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';

export type Answer<T = Record<string, unknown>> = { status: number; body: T; headers: Headers };

export async function startAuth(env: Record<string, string> = {}, { locale }: { locale?: 'C' } = {}) {
  const database = await createTestDatabase({ locale });
  const config = loadAuthConfig({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testPrefix(),
    AUTH_PRIVATE_KEY_FILE: devKeys.privateKeyFile,
    AUTH_PUBLIC_KEY_FILE: devKeys.publicKeyFile,
    INTERNAL_TOKEN,
    ...env,
  });
  const db = createKnex(database.url, 'auth');
  const redis = createRedis(config.REDIS_URL);
  const app = createApp({ db, redis, config, logger: createLogger('auth', 'silent'), metrics: createMetrics('auth') });
  const server = await listen(createServer(app), 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A browser-like client: keeps the refresh cookie, sends the bearer token when given. */
  const client = () => {
    let cookie = '';
    const call = async <T = Record<string, unknown>>(
      path: string,
      init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
    ): Promise<Answer<T>> => {
      const res = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(cookie ? { cookie } : {}),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0] as string;
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
    };
    return Object.assign(call, { cookie: () => cookie, setCookie: (c: string) => (cookie = c) });
  };

  return {
    baseUrl,
    db,
    client,
    async stop() {
      await closeServer(server);
      await db.destroy();
      await closeRedis(redis);
      await database.drop();
    },
  };
}

let counter = 0;
export const newEmail = () => `user${Date.now()}${counter++}@example.test`;
