// Readiness that means it: with Redis gone every service that needs it reports not ready, and all of them become
// ready again by themselves when it returns, without a restart; an acked message sent afterwards is delivered.
import { startRedisServer } from '@chat/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, groupOf, next, register, send } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let redis: Awaited<ReturnType<typeof startRedisServer>>;
let system: RunningSystem;

beforeAll(async () => {
  redis = await startRedisServer();
  system = await startSystem({ REDIS_URL: redis.url });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await redis?.stop();
});

const readyz = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) })
    .then((r) => r.status)
    .catch(() => 0);

async function allAnswer(ports: number[], status: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const seen = await Promise.all(ports.map(readyz));
    if (seen.every((s) => s === status)) return seen;
    if (Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('readiness', () => {
  it('reports not ready while Redis is down and recovers by itself when it returns', async () => {
    const ports = [0, 1, 2, 3, 4].map((o) => system.plan.portsFrom + o);
    expect(await allAnswer(ports, 200)).toEqual([200, 200, 200, 200, 200]);
    await redis.stop();
    expect(await allAnswer(ports, 503)).toEqual([503, 503, 503, 503, 503]);
    await redis.restart();
    expect(await allAnswer(ports, 200)).toEqual([200, 200, 200, 200, 200]);

    const [ann, ben] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Ben')]);
    const chat = await groupOf(ann, [ben]);
    const a = await connect(system.baseUrl, ann.token);
    const b = await connect(system.baseUrl, ben.token);
    const delivered = next(b.socket, 'message:new', (m) => m.body === 'after the outage');
    expect((await send(a.socket, chat.id, 'after the outage')).ok).toBe(true);
    await delivered;
    a.socket.close();
    b.socket.close();
  }, 90_000);
});
