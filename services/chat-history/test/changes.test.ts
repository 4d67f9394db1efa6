// Change sync against real PostgreSQL and Redis: a gapless rev per chat for every visible change, the change record
// replayed by `…/changes` and `/api/sync`, live events in rev order, and the relay for changes that never got out.
import { randomUUID } from 'node:crypto';
import { createLogger, createMetrics, createRedis } from '@chat/kit';
import type { Change, ChangesResponse, Chat, MessageWithRev, SyncResponse } from '@chat/kit/contract';
import { testRedisUrl } from '@chat/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessage } from '../src/domain/messages/appendMessage.ts';
import { createChatEvents } from '../src/events.ts';
import { createRelay } from '../src/feed/relay.ts';
import { pruneChanges } from '../src/feed/retention.ts';
import {
  collectEvents,
  nextEvent,
  type RunningChatHistory,
  startChatHistory,
  startSocketNode,
  type TestUser,
  until,
  userNamed,
} from './support.ts';

let service: RunningChatHistory;
let node: Awaited<ReturnType<typeof startSocketNode>>;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;

beforeAll(async () => {
  service = await startChatHistory();
  node = await startSocketNode(service.redisPrefix);
  [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((name) => userNamed(name, service.users)) as [
    TestUser,
    TestUser,
    TestUser,
  ];
});

afterAll(async () => {
  await node?.stop();
  await service?.stop();
});

const group = (owner: TestUser, members: TestUser[], title = 'Sync') => service.group(owner, members, title);
const sendAs = (user: TestUser, chatId: string, body: string, clientId: string) =>
  service.as(user)<MessageWithRev>(`/api/chats/${chatId}/messages`, { method: 'POST', body: { clientId, body } });
const send = async (user: TestUser, chatId: string, body: string) =>
  (
    await service.as(user)<MessageWithRev>(`/api/chats/${chatId}/messages`, {
      method: 'POST',
      body: { clientId: randomUUID(), body },
    })
  ).body;
const changes = (user: TestUser, chatId: string, after: number, limit?: number) =>
  service.as(user)<ChangesResponse>(`/api/chats/${chatId}/changes?after=${after}${limit ? `&limit=${limit}` : ''}`);
const sync = (user: TestUser, chats: Record<string, number>) =>
  service.as(user)<SyncResponse>('/api/sync', { method: 'POST', body: { chats } });

describe('revisions', () => {
  it('numbers every visible change of a chat 1, 2, 3… and replays each with its current state', async () => {
    const chat = await group(ann, [ben], 'Before');
    expect(chat.rev).toBe(1);
    const hello = await send(ann, chat.id, 'hello');
    const bye = await send(ben, chat.id, 'bye');
    await service.as(ann)(`/api/chats/${chat.id}/messages/${hello.id}`, { method: 'PATCH', body: { body: 'hello!' } });
    await service.as(ben)(`/api/chats/${chat.id}/messages/${bye.id}`, { method: 'DELETE' });
    await service.as(ann)(`/api/chats/${chat.id}/members`, { method: 'POST', body: { userIds: [cat.id] } });
    await service.as(ann)(`/api/chats/${chat.id}/members/${cat.id}`, { method: 'DELETE' });
    const renamed = await service.as(ann)<Chat>(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'After' } });
    expect(renamed.body).toMatchObject({ title: 'After', rev: 8 });

    const { body } = await changes(ben, chat.id, 1);
    expect(body.rev).toBe(8);
    expect(body.hasMore).toBe(false);
    expect(body.changes.map((c) => [c.rev, c.kind])).toEqual([
      [2, 'message.new'],
      [3, 'message.new'],
      [4, 'message.updated'],
      [5, 'message.updated'],
      [6, 'chat.updated'],
      [7, 'member.removed'],
      [8, 'chat.updated'],
    ]);
    // each change carries the whole message or chat as it is now: replaying them is idempotent
    expect(body.changes[0]?.message).toMatchObject({ id: hello.id, body: 'hello!' });
    expect(body.changes[1]?.message).toMatchObject({ id: bye.id, body: '' });
    expect(body.changes[1]?.message?.deletedAt).not.toBeNull();
    expect(body.changes[5]).toEqual({ rev: 7, kind: 'member.removed', userId: cat.id });
    expect(body.changes[6]?.chat).toMatchObject({ id: chat.id, title: 'After', rev: 8, readSeq: 2 });
  });

  it('answers a repeated send and a repeated delete with the rev the message already has', async () => {
    const chat = await group(ann, [ben]);
    const clientId = randomUUID();
    const sendOnce = () =>
      service.as(ann)<MessageWithRev>(`/api/chats/${chat.id}/messages`, {
        method: 'POST',
        body: { clientId, body: 'x' },
      });
    const first = await sendOnce();
    expect((await sendOnce()).body).toEqual(first.body);
    const path = `/api/chats/${chat.id}/messages/${first.body.id}`;
    const deleted = await service.as(ann)<MessageWithRev>(path, { method: 'DELETE' });
    expect(deleted.body.rev).toBe(first.body.rev + 1);
    expect((await service.as(ann)<MessageWithRev>(path, { method: 'DELETE' })).body.rev).toBe(deleted.body.rev);
    expect((await changes(ann, chat.id, 0)).body.rev).toBe(deleted.body.rev);
  });

  it('pages changes with limit and hasMore', async () => {
    const chat = await group(ann, [ben]);
    for (let i = 0; i < 5; i++) await send(ann, chat.id, `m${i}`);
    const first = await changes(ben, chat.id, 0, 4);
    expect(first.body).toMatchObject({ rev: 4, hasMore: true });
    const rest = await changes(ben, chat.id, first.body.rev, 4);
    expect(rest.body).toMatchObject({ rev: 6, hasMore: false });
    expect(rest.body.changes.map((c) => c.rev)).toEqual([5, 6]);
  });

  it('answers bad catch-ups as the contract says: 404 outsider or unknown chat, 400 future or malformed, 410 too old', async () => {
    const chat = await group(ann, [ben]);
    await send(ann, chat.id, 'one');
    expect((await changes(cat, chat.id, 0)).status).toBe(404);
    expect((await changes(ann, randomUUID(), 0)).status).toBe(404);
    expect((await changes(ann, chat.id, 3)).body).toMatchObject({ status: 400, code: 'bad_request' });
    expect((await service.as(ann)(`/api/chats/${chat.id}/changes?after=-1`)).status).toBe(400);
    expect((await service.as(ann)(`/api/chats/${chat.id}/changes`)).status).toBe(400);
    expect((await changes(ann, chat.id, 0, 501)).status).toBe(400);
    // the retention drops the chat's first change (made to look 40 days old): catching up from before it is 410
    await service
      .db('changes')
      .where({ chat_id: chat.id, rev: 1 })
      .update({ created_at: service.db.raw(`now() - interval '40 days'`) });
    expect(await pruneChanges(service.db, 30)).toBeGreaterThanOrEqual(1);
    expect((await changes(ann, chat.id, 0)).body).toMatchObject({ status: 410, code: 'resync_required' });
    expect((await changes(ann, chat.id, 1)).body.changes.map((c: Change) => c.rev)).toEqual([2]);
  });
});

describe('sync', () => {
  it('brings every chat up to date in one round trip, and names the chats the user left', async () => {
    const [a, b, left] = [await group(ann, [ben], 'A'), await group(ann, [ben], 'B'), await group(ann, [ben], 'Left')];
    const fresh = await group(ann, [ben], 'Fresh');
    await send(ann, a.id, 'a1');
    await send(ann, a.id, 'a2');
    await service.as(ben)(`/api/chats/${left.id}/members/${ben.id}`, { method: 'DELETE' });
    const { status, body } = await sync(ben, { [a.id]: 1, [b.id]: 1, [left.id]: 1 });
    expect(status).toBe(200);
    const ids = body.chats.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id, fresh.id]));
    expect(ids).not.toContain(left.id);
    expect(body.changes[a.id]?.map((c) => c.message?.body)).toEqual(['a1', 'a2']);
    expect(body.changes[b.id]).toBeUndefined();
    expect(body.removed).toEqual([left.id]);
    expect(body).toMatchObject({ hasMore: [], resync: [] });
  });

  it('caps changes at 200 per chat with hasMore, and asks for a reload of a chat held at a rev it never reached', async () => {
    const busy = await group(ann, [ben], 'Busy');
    const other = await group(ann, [ben], 'Other');
    for (let i = 0; i < 205; i += 5)
      await Promise.all(Array.from({ length: 5 }, (_, j) => send(ann, busy.id, `n${i + j}`)));
    const { body } = await sync(ben, { [busy.id]: 1, [other.id]: 99 });
    expect(body.changes[busy.id]).toHaveLength(200);
    expect(body.changes[busy.id]?.[0]?.rev).toBe(2);
    expect(body.hasMore).toEqual([busy.id]);
    expect(body.resync).toEqual([other.id]);
  });

  it('refuses a malformed request with 400', async () => {
    expect((await sync(ann, { nope: 1 })).status).toBe(400);
    expect(
      (await service.as(ann)('/api/sync', { method: 'POST', body: { chats: { [randomUUID()]: -1 } } })).status,
    ).toBe(400);
    expect((await service.as(ann)('/api/sync', { method: 'POST', body: {} })).status).toBe(400);
  });
});

describe('renaming a group', () => {
  it('lets the owner rename it (members see it live, with its rev) and no one else', async () => {
    const chat = await group(ann, [ben], 'Old');
    const bens = await node.connect(ben.id, [chat.id]);
    const updated = nextEvent(bens, 'chat:updated', (c) => c.id === chat.id && c.title === 'New');
    const renamed = await service.as(ann)<Chat>(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: ' New ' } });
    expect(renamed.body).toMatchObject({ title: 'New', rev: chat.rev + 1 });
    expect((await updated).rev).toBe(chat.rev + 1);
    expect((await service.as(ben)(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'Mine' } })).status).toBe(
      403,
    );
    expect((await service.as(cat)(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'Mine' } })).status).toBe(
      404,
    );
    expect((await service.as(ann)(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: ' ' } })).status).toBe(
      400,
    );
    const { body: direct } = await service.as(ann)<Chat>('/api/chats/direct', {
      method: 'POST',
      body: { userId: cat.id },
    });
    expect((await service.as(ann)(`/api/chats/${direct.id}`, { method: 'PATCH', body: { title: 'x' } })).status).toBe(
      400,
    );
  });
});

describe('live events', () => {
  it('carry their rev, and 20 concurrent senders in one chat reach a member in rev order', async () => {
    const senders = Array.from({ length: 20 }, (_, i) => userNamed(`S${i}`, service.users));
    const chat = await group(ann, senders);
    const anns = await node.connect(ann.id, [chat.id]);
    const seen = collectEvents(anns, 'message:new');
    await Promise.all(
      senders.map(async (s) => {
        for (let i = 0; i < 10; i++) {
          // a busy chat may turn a send away (503, retry shortly), as a client would see it
          const clientId = randomUUID();
          while ((await sendAs(s, chat.id, `${s.name}-${i}`, clientId)).status === 503);
        }
      }),
    );
    await until(() => seen.length === 200, 30_000);
    const revs = seen.map((m) => m.rev);
    expect(revs).toEqual(Array.from({ length: 200 }, (_, i) => chat.rev + 1 + i));
  });
});

describe('the relay', () => {
  it('publishes a change that was committed but never published, without any later change', async () => {
    const chat = await group(ann, [ben]);
    const bens = await node.connect(ben.id, [chat.id]);
    // a chat-history whose Redis is gone: the send commits, its publish fails
    const deadRedis = createRedis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    deadRedis.on('error', () => {});
    const logger = createLogger('chat-history', 'silent');
    const cutOff = createChatEvents(deadRedis, service.redisPrefix, logger, createMetrics('dead'));
    const { message } = await appendMessage(
      { db: service.db, events: cutOff },
      {
        chatId: chat.id,
        senderId: ann.id,
        clientId: randomUUID(),
        body: 'committed while Redis was away',
      },
    );
    const arriving = nextEvent(bens, 'message:new', (m) => m.id === message.id);
    const redis = createRedis(testRedisUrl());
    const metrics = createMetrics('relay');
    const relay = createRelay(
      { db: service.db, events: createChatEvents(redis, service.redisPrefix, logger, metrics), logger, metrics },
      { intervalMs: 100, graceMs: 0, lookbackMs: 60_000 },
    );
    expect(await relay.pass()).toBeGreaterThanOrEqual(1);
    expect(await arriving).toMatchObject({ id: message.id, rev: message.rev, body: 'committed while Redis was away' });
    // published and marked: the next pass has nothing to do for this chat
    const again = collectEvents(bens, 'message:new');
    await relay.pass();
    const marker = nextEvent(bens, 'message:new', (m) => m.body === 'marker');
    await send(ann, chat.id, 'marker');
    await marker;
    expect(again.map((m) => m.body)).toEqual(['marker']);
    await relay.stop();
    redis.disconnect();
    deadRedis.disconnect();
  });
});

describe('unread counts', () => {
  it('count messages from others past the cursor, minus deleted ones, exactly', async () => {
    const chat = await group(ann, [ben]);
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await send(ann, chat.id, `u${i}`));
    await service.as(ann)(`/api/chats/${chat.id}/messages/${sent[2]?.id}`, { method: 'DELETE' });
    await service.as(ann)(`/api/chats/${chat.id}/messages/${sent[4]?.id}`, { method: 'DELETE' });
    const view = async (user: TestUser) => (await service.as(user)<Chat>(`/api/chats/${chat.id}`)).body;
    expect(await view(ben)).toMatchObject({ unread: 4, readSeq: 0 });
    expect(await view(ann)).toMatchObject({ unread: 0 });
    await send(ben, chat.id, 'reply');
    expect(await view(ben)).toMatchObject({ unread: 0, readSeq: 7 });
    expect(await view(ann)).toMatchObject({ unread: 1 });
  });
});
