// Every change reaches every connected client, even when its live events never got out: Redis was down when it was
// committed, or chat-history died between commit and publish. Nothing else happens and nobody reconnects.
import { randomUUID } from 'node:crypto';
import { createKnex, createLogger, createMetrics, createRedis, type Knex } from '@chat/kit';
import type { Chat, MessageWithRev } from '@chat/kit/contract';
import { startRedisServer } from '@chat/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessage } from '../services/chat-history/src/domain/messages/appendMessage.ts';
import { createChatEvents } from '../services/chat-history/src/events.ts';
import { type Client, connect, groupOf, next, register } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let redis: Awaited<ReturnType<typeof startRedisServer>>;
let system: RunningSystem;
let db: Knex;
let ann: Client;
let ben: Client;
let chat: Chat;

beforeAll(async () => {
  redis = await startRedisServer();
  system = await startSystem({ REDIS_URL: redis.url, RELAY_INTERVAL_MS: '500' });
  db = createKnex(system.plan.databaseUrl, 'chat', { min: 0, max: 2 });
  [ann, ben] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Ben')]);
  chat = await groupOf(ann, [ben]);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await system?.stop();
  await redis?.stop();
});

const post = (client: Client, body: string) =>
  client.api<MessageWithRev>(`/api/chats/${chat.id}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), body },
  });

describe('changes whose live events never got out', () => {
  it('reach every connected socket within 10 s of Redis coming back, with nothing else happening', async () => {
    const { body: draft } = await post(ann, 'draft');
    const a = await connect(system.baseUrl, ann.token);
    const b = await connect(system.baseUrl, ben.token);
    await redis.stop();
    // both commit while Redis is away; their publish fails
    const edited = await ann.api<MessageWithRev>(`/api/chats/${chat.id}/messages/${draft.id}`, {
      method: 'PATCH',
      body: { body: 'edited while Redis was down' },
    });
    expect(edited.status).toBe(200);
    const sent = await post(ann, 'sent while Redis was down');
    expect(sent.status).toBe(201);
    const expected = (socket: typeof a.socket) =>
      Promise.all([
        next(socket, 'message:updated', (m) => m.id === draft.id && m.rev === edited.body.rev, 10_000),
        next(socket, 'message:new', (m) => m.id === sent.body.id && m.rev === sent.body.rev, 10_000),
      ]);
    const arriving = Promise.all([expected(a.socket), expected(b.socket)]);
    // the nodes whose subscription came back also tell their sockets to sync
    const told = next(b.socket, 'resync', () => true, 20_000);
    const restarting = Date.now();
    await redis.restart();
    const [[updated, created]] = await arriving;
    expect(Date.now() - restarting).toBeLessThan(10_000);
    expect(updated).toMatchObject({ body: 'edited while Redis was down' });
    expect(created).toMatchObject({ body: 'sent while Redis was down', seq: draft.seq + 1 });
    await told;
    a.socket.close();
    b.socket.close();
  }, 60_000);

  it('reach every connected socket when chat-history died after the commit, before the publish', async () => {
    const a = await connect(system.baseUrl, ann.token);
    const b = await connect(system.baseUrl, ben.token);
    await system.supervisor.kill('chat-history', 'SIGKILL');
    // the commit of a process that dies before publishing: the same domain command, with a publisher that never
    // reaches Redis
    const nowhere = createRedis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    nowhere.on('error', () => {});
    const cutOff = createChatEvents(nowhere, system.plan.redisPrefix, createLogger('x', 'silent'), createMetrics('x'));
    const { message } = await appendMessage(
      { db, events: cutOff },
      { chatId: chat.id, senderId: ben.user.id, clientId: randomUUID(), body: 'committed, then the process died' },
    );
    nowhere.disconnect();
    const arriving = [a, b].map((c) => next(c.socket, 'message:new', (m) => m.id === message.id, 45_000));
    system.supervisor.revive('chat-history');
    // within 10 s of the process being back (ready), however long a busy machine takes to start it
    expect(await system.ready()).toBe(true);
    const revived = Date.now();
    const [atAnn] = await Promise.all(arriving);
    expect(atAnn).toMatchObject({ body: 'committed, then the process died', rev: message.rev });
    expect(Date.now() - revived).toBeLessThan(10_000);
    a.socket.close();
    b.socket.close();
  }, 60_000);
});
