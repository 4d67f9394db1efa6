// Every change reaches every connected client, even when its live events never got out: Redis was down when it was
// committed (the relay publishes it again, and nodes whose subscription comes back tell their sockets to sync), or
// chat-history died between commit and publish (the relay alone). Nothing else happens and nobody reconnects.
import { randomUUID } from 'node:crypto';
import { createKnex, createLogger, createMetrics, createRedis, type Knex } from '@chat/kit';
import type { Chat, ChangesResponse, Message, MessageWithRev } from '@chat/kit/contract';
import { startRedisServer } from '@chat/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessage } from '../services/chat-history/src/domain/messages/appendMessage.ts';
import { createChatEvents } from '../services/chat-history/src/events.ts';
import { type ChatSocket, type Client, connect, groupOf, next, register } from './support/client.ts';
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

/**
 * The message once the socket's client has it: as a live event (the relay publishes what never got out), or from the
 * chat's change record when the socket's node says its Redis subscription came back (`resync`), as the web app does:
 * the relay's publish may come before a node has subscribed again, and only the resync reaches that node's sockets.
 */
function reaches(
  client: Client,
  socket: ChatSocket,
  event: 'message:new' | 'message:updated',
  change: MessageWithRev,
  timeoutMs = 10_000,
): Promise<Message> {
  return new Promise((resolve, reject) => {
    const done = (message: Message) => {
      clearTimeout(timer);
      socket.off(event, onEvent);
      socket.off('resync', onResync);
      resolve(message);
    };
    const timer = setTimeout(() => {
      socket.off(event, onEvent);
      socket.off('resync', onResync);
      reject(new Error(`rev ${change.rev} (${event}) did not reach the socket within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (m: MessageWithRev) => {
      if (m.id === change.id && m.rev === change.rev) done(m);
    };
    const onResync = () =>
      client
        .api<ChangesResponse>(`/api/chats/${chat.id}/changes?after=${change.rev - 1}`)
        .then(({ body }) => {
          const recorded = body.changes?.find((c) => c.rev === change.rev);
          if (recorded?.message) done(recorded.message);
        })
        // a fetch that fails leaves it to the live event, or to the time-out
        .catch(() => {});
    socket.on(event, onEvent);
    socket.on('resync', onResync);
  });
}

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
    const expected = (client: Client, socket: ChatSocket) =>
      Promise.all([
        reaches(client, socket, 'message:updated', edited.body),
        reaches(client, socket, 'message:new', sent.body),
      ]);
    const arriving = Promise.all([expected(ann, a.socket), expected(ben, b.socket)]);
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
