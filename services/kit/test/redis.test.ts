import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, luaScript, type Redis } from '@chat/kit';
import { startRedisServer } from '@chat/infra/testing';

let server: Awaited<ReturnType<typeof startRedisServer>>;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis(server.url, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const INCR_BY = `return redis.call('INCRBY', KEYS[1], ARGV[1])`;

describe('luaScript', () => {
  it('runs by its SHA after the first call, and still runs once Redis lost its scripts or restarted', async () => {
    const incrBy = luaScript(redis, INCR_BY, 1);
    expect(await incrBy(['counter'], [2])).toBe(2);
    expect(await incrBy(['counter'], [3])).toBe(5);
    // the text went once; afterwards Redis was asked by SHA
    const calls = await redis.info('commandstats');
    expect(calls).toMatch(/cmdstat_eval:calls=1,/);
    expect(calls).toMatch(/cmdstat_evalsha:calls=1,/);

    await redis.script('FLUSH');
    expect(await incrBy(['counter'], [1])).toBe(6);

    await server.restart();
    expect(await incrBy(['counter'], [1])).toBeGreaterThanOrEqual(1);
  });

  it('defines a script once per client, whoever asks for it', async () => {
    const a = luaScript(redis, INCR_BY, 1);
    const b = luaScript(redis, INCR_BY, 1);
    expect(await a(['shared'], [1])).toBe(1);
    expect(await b(['shared'], [1])).toBe(2);
  });
});
