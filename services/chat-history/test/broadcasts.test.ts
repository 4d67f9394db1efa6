// Committed changes reach live sockets through the Redis emitter, as a realtime node on the same prefix receives them.
import { randomUUID } from 'node:crypto';
import type { Chat, Message } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, createRedis } from '@chat/kit';
import { testRedisUrl } from '@chat/infra/testing';
import { createReceiptsWorker } from '../src/receipts/worker-app.ts';
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

const group = (owner: TestUser, members: TestUser[]) => service.group(owner, members, 'Live');
const send = (user: TestUser, chatId: string, body: string, clientId: string = randomUUID()) =>
  service.as(user)<Message>(`/api/chats/${chatId}/messages`, { method: 'POST', body: { clientId, body } });

describe('broadcasts', () => {
  it('announces a new message once, and never again for a repeated clientId', async () => {
    const chat = await group(ann, [ben]);
    const bens = await node.connect(ben.id, [chat.id]);
    const seen = collectEvents(bens, 'message:new');
    const arriving = nextEvent(bens, 'message:new', (m) => m.chatId === chat.id);
    const clientId = randomUUID();
    const sent = await send(ann, chat.id, 'hello', clientId);
    expect(await arriving).toEqual(sent.body);
    expect((await send(ann, chat.id, 'hello', clientId)).status).toBe(200);
    // published in order on one connection: once the marker arrives, a repeat would have arrived before it
    const marker = nextEvent(bens, 'message:new', (m) => m.body === 'marker');
    await send(ann, chat.id, 'marker');
    await marker;
    expect(seen.map((m) => m.body)).toEqual(['hello', 'marker']);
  });

  it('announces edits and deletes as message:updated', async () => {
    const chat = await group(ann, [ben]);
    const bens = await node.connect(ben.id, [chat.id]);
    const { body: sent } = await send(ann, chat.id, 'draft');
    const edited = nextEvent(bens, 'message:updated', (m) => m.id === sent.id && m.body === 'final');
    await service.as(ann)(`/api/chats/${chat.id}/messages/${sent.id}`, { method: 'PATCH', body: { body: 'final' } });
    expect((await edited).editedAt).not.toBeNull();
    const deleted = nextEvent(bens, 'message:updated', (m) => m.id === sent.id && m.deletedAt !== null);
    await service.as(ann)(`/api/chats/${chat.id}/messages/${sent.id}`, { method: 'DELETE' });
    expect((await deleted).body).toBe('');
  });

  it('brings an added member into the chat live: chat:created, then the chat’s messages', async () => {
    const chat = await group(ann, [ben]);
    const cats = await node.connect(cat.id);
    const bens = await node.connect(ben.id, [chat.id]);
    const created = nextEvent(cats, 'chat:created', (c) => c.id === chat.id);
    const updated = nextEvent(bens, 'chat:updated', (c) => c.id === chat.id);
    await service.as(ann)(`/api/chats/${chat.id}/members`, { method: 'POST', body: { userIds: [cat.id] } });
    // each member gets their own view
    expect(await created).toMatchObject({ id: chat.id, readSeq: 0, unread: 0 });
    expect((await updated).members.map((m) => m.userId)).toContain(cat.id);
    const live = nextEvent(cats, 'message:new', (m) => m.chatId === chat.id);
    await send(ann, chat.id, 'welcome, Cat');
    expect((await live).body).toBe('welcome, Cat');
  });

  it('announces a new chat to each member with their own view and joins their sockets to it', async () => {
    const anns = await node.connect(ann.id);
    const bens = await node.connect(ben.id);
    const forAnn = nextEvent(anns, 'chat:created');
    const forBen = nextEvent(bens, 'chat:created');
    const { body: chat } = await service.as(ann)<Chat>('/api/chats/direct', {
      method: 'POST',
      body: { userId: ben.id },
    });
    expect(await forAnn).toEqual(chat);
    expect((await forBen).id).toBe(chat.id);
    const live = nextEvent(bens, 'message:new', (m) => m.chatId === chat.id);
    await send(ann, chat.id, 'first');
    expect((await live).seq).toBe(1);
  });

  it('takes a removed member out of the room at once and tells them', async () => {
    const chat = await group(ann, [ben, cat]);
    const cats = await node.connect(cat.id, [chat.id]);
    const bens = await node.connect(ben.id, [chat.id]);
    const removed = nextEvent(cats, 'chat:removed', (r) => r.chatId === chat.id);
    const updated = nextEvent(bens, 'chat:updated', (c) => c.id === chat.id);
    expect((await service.as(ann)(`/api/chats/${chat.id}/members/${cat.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await removed).toEqual({ chatId: chat.id, rev: expect.any(Number) });
    expect((await updated).members.map((m) => m.userId)).not.toContain(cat.id);
    const seen = collectEvents(cats, 'message:new');
    const marker = nextEvent(bens, 'message:new', (m) => m.body === 'after removal');
    await send(ann, chat.id, 'after removal');
    await marker;
    expect(seen).toEqual([]);
  });

  it('tells the author their message was read by the reply itself, and the queued read written later moves nothing', async () => {
    const chat = await group(ann, [ben]);
    const anns = await node.connect(ann.id, [chat.id]);
    const bensOtherTab = await node.connect(ben.id, [chat.id]);
    const receipts = collectEvents(anns, 'receipt');
    const { body: question } = await send(ann, chat.id, 'did you read this?');
    // ben reads (queued: no worker runs yet), then replies: the reply moves his cursor first
    expect(
      (await service.as(ben)(`/api/chats/${chat.id}/read`, { method: 'POST', body: { seq: question.seq } })).status,
    ).toBe(202);
    // the reply's message:new is ben's read mark (he read up to it); his other tab takes it the same way
    const toAnn = nextEvent(anns, 'message:new', (m) => m.senderId === ben.id);
    const toBensTab = nextEvent(bensOtherTab, 'message:new', (m) => m.senderId === ben.id);
    const { body: answer } = await send(ben, chat.id, 'yes');
    expect(await toAnn).toMatchObject({ seq: answer.seq, senderId: ben.id });
    expect(await toBensTab).toMatchObject({ seq: answer.seq, senderId: ben.id });

    // the queued read is written later: the cursor does not move back, and no older receipt follows
    const redis = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
    const publisher = createRedis(testRedisUrl());
    const worker = createReceiptsWorker({
      db: service.db,
      redis,
      publisher,
      redisPrefix: service.redisPrefix,
      logger: createLogger('receipts', 'silent'),
      metrics: createMetrics('receipts'),
    });
    worker.start();
    await until(async () => {
      const counts = await worker.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    });
    await worker.close();
    redis.disconnect();
    publisher.disconnect();
    const { body } = await service.as(ann)<{ receipts: { userId: string; readSeq: number }[] }>(
      `/api/chats/${chat.id}/receipts`,
    );
    expect(body.receipts).toContainEqual({ userId: ben.id, readSeq: answer.seq });
    // the worker published before it closed, so a receipt from it would have reached ann before this marker
    const marker = nextEvent(anns, 'message:new', (m) => m.body === 'marker');
    await send(ann, chat.id, 'marker');
    await marker;
    expect(receipts.filter((r) => r.userId === ben.id)).toEqual([]);
  });

  it('announces no receipt for a send, even one that moves the sender’s cursor over others’ messages', async () => {
    const chat = await group(ann, [ben]);
    const bens = await node.connect(ben.id, [chat.id]);
    const receipts = collectEvents(bens, 'receipt');
    await send(ben, chat.id, 'one');
    await send(ann, chat.id, 'two');
    const marker = nextEvent(bens, 'message:new', (m) => m.body === 'three');
    const { body: three } = await send(ann, chat.id, 'three');
    await marker;
    expect(receipts).toEqual([]);
    // the cursor moved all the same: ann has read up to her last message
    const { body } = await service.as(ben)<{ receipts: { userId: string; readSeq: number }[] }>(
      `/api/chats/${chat.id}/receipts`,
    );
    expect(body.receipts).toContainEqual({ userId: ann.id, readSeq: three.seq });
  });
});
