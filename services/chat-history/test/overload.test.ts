// Overload and outages a user should barely notice: a flood in one chat is turned away fast with a retry hint and
// never starves another chat; a database that does not answer is `unavailable` (503, Retry-After), not a failure.
import { randomUUID } from 'node:crypto';
import type { Chat, Message } from '@chat/kit/contract';
import { until } from '@chat/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningChatHistory, startChatHistory, type TestUser, userNamed } from './support.ts';

let service: RunningChatHistory;
let ann: TestUser;
let ben: TestUser;

beforeAll(async () => {
  service = await startChatHistory({ admission: { inFlight: 2, queued: 20, waitMs: 2_000 } });
  [ann, ben] = ['Ann', 'Ben'].map((name) => userNamed(name, service.users)) as [TestUser, TestUser];
});

afterAll(async () => {
  await service?.stop();
});

const group = async () =>
  (await service.as(ann)<Chat>('/api/chats/groups', { method: 'POST', body: { title: 'Busy', memberIds: [ben.id] } }))
    .body;
const send = (chatId: string, body: string) =>
  service.as(ann)<Message & { code?: string }>(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), body },
  });

describe('a flood in one chat', () => {
  it('is turned away past a bounded line with unavailable and a retry hint, and never starves another chat', async () => {
    const [hot, quiet] = [await group(), await group()];
    // the hot chat's row is held, as a slow transaction would hold it: its writers stand in line behind it
    const holder = await service.db.transaction();
    await holder('chats').where({ id: hot.id }).forUpdate();
    let hotDone = 0;
    const flood = Array.from({ length: 150 }, (_, i) =>
      send(hot.id, `flood ${i}`).then((a) => {
        if (a.status === 201) hotDone += 1;
        return a;
      }),
    );
    // while the hot chat's line is full and stuck, a send to another chat goes straight through
    const other = await send(quiet.id, 'not starved');
    expect(other.status).toBe(201);
    expect(hotDone).toBe(0);
    await holder.commit();
    const answers = await Promise.all(flood);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.body).toMatchObject({ code: 'unavailable', status: 503 });
    expect(answers.every((a) => a.status === 201 || a.status === 503)).toBe(true);
    // what was accepted is there, gapless
    const { body } = await service.as(ann)<{ messages: Message[] }>(`/api/chats/${hot.id}/messages?limit=100`);
    const accepted = answers.filter((a) => a.status === 201).length;
    expect(body.messages.map((m) => m.seq)).toEqual(
      Array.from({ length: Math.min(100, accepted) }, (_, i) => accepted - Math.min(100, accepted) + i + 1),
    );
  });

  it('carries a Retry-After on the 503', async () => {
    const hot = await group();
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        fetch(`${service.baseUrl}/api/chats/${hot.id}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ann.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ clientId: randomUUID(), body: `x${i}` }),
        }),
      ),
    );
    const refused = answers.find((a) => a.status === 503);
    expect(refused?.headers.get('retry-after')).toBe('1');
    await Promise.all(answers.map((a) => a.text()));
  });
});

describe('a database that does not answer', () => {
  it('answers unavailable with Retry-After, and readiness says why', async () => {
    const cut = await startChatHistory({ databaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere' });
    try {
      const user = userNamed('Cut', cut.users);
      const res = await fetch(`${cut.baseUrl}/api/chats`, { headers: { authorization: `Bearer ${user.token}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ code: 'unavailable' });
      const ready = await call<{ checks: Record<string, string> }>(cut.baseUrl, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.postgres).not.toBe('ok');
    } finally {
      await cut.stop();
    }
  });
});

describe("the queues' Redis connection gone", () => {
  it('makes readiness fail and say which connection', async () => {
    const cut = await startChatHistory();
    try {
      const readiness = () => call<{ checks: Record<string, string> }>(cut.baseUrl, '/readyz');
      // ready once both connections are up
      await until(async () => (await readiness()).status === 200);
      expect((await readiness()).body.checks).toMatchObject({ redis: 'ok', 'redis-queues': 'ok' });
      await cut.queueRedis.quit();
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(ready.body.checks.redis).toBe('ok');
      expect(ready.body.checks['redis-queues']).not.toBe('ok');
    } finally {
      await cut.stop();
    }
  });
});
