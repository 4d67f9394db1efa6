// Unread screens and notifications: the first unread message, notification levels, "mark as unread", and Web Push
// to recipients with no connected socket, decrypted here as the browser would.
import { randomUUID } from 'node:crypto';
import { createLogger, createMetrics, createRedis, presenceSocketsKey } from '@chat/kit';
import type { Chat, MessageWithRev, Receipt } from '@chat/kit/contract';
import { testRedisUrl } from '@chat/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_VAPID_KEYS_FILE, readVapidKeys } from '../src/push/vapid.ts';
import { createPushWorker } from '../src/push/worker.ts';
import type { PushJob } from '../src/push/queue.ts';
import { startPushService } from './push-service.ts';
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
let pushService: Awaited<ReturnType<typeof startPushService>>;
let worker: ReturnType<typeof createPushWorker>;
const redis = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
const presence = createRedis(testRedisUrl());
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;

beforeAll(async () => {
  service = await startChatHistory();
  node = await startSocketNode(service.redisPrefix);
  pushService = await startPushService();
  worker = createPushWorker({
    db: service.db,
    redis,
    presence,
    redisPrefix: service.redisPrefix,
    vapid: readVapidKeys(DEV_VAPID_KEYS_FILE, 'test'),
    subject: 'mailto:ops@example.test',
    logger: createLogger('push', 'silent'),
    metrics: createMetrics('push'),
  });
  worker.start();
  [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((name) => userNamed(name, service.users)) as [
    TestUser,
    TestUser,
    TestUser,
  ];
});

afterAll(async () => {
  await worker?.close();
  await pushService?.stop();
  await node?.stop();
  await service?.stop();
  redis.disconnect();
  presence.disconnect();
});

const group = (owner: TestUser, members: TestUser[]) => service.group(owner, members, 'Team');
const direct = async (user: TestUser, other: TestUser) =>
  (await service.as(user)<Chat>('/api/chats/direct', { method: 'POST', body: { userId: other.id } })).body;
const send = async (user: TestUser, chatId: string, body: string) =>
  (
    await service.as(user)<MessageWithRev>(`/api/chats/${chatId}/messages`, {
      method: 'POST',
      body: { clientId: randomUUID(), body },
    })
  ).body;
const view = async (user: TestUser, chatId: string) => (await service.as(user)<Chat>(`/api/chats/${chatId}`)).body;
/** Resolves once the worker has decided whom to push the next message sent matching `body` to. */
const decided = (body: string) =>
  new Promise<void>((resolve) => {
    const listener = async (job: { data: PushJob }) => {
      const ids =
        job.data.kind === 'messages'
          ? job.data.messages.map((m) => m.messageId)
          : job.data.kind === 'message'
            ? [job.data.messageId]
            : [];
      if (ids.length === 0) return;
      const rows = await service.db('messages').whereIn('id', ids).pluck('body');
      if (!rows.includes(body)) return;
      worker.worker.off('completed', listener as never);
      resolve();
    };
    worker.worker.on('completed', listener as never);
  });
const subscribe = async (user: TestUser, name?: string) => {
  const sub = pushService.subscription(name);
  expect((await service.as(user)('/api/push/subscriptions', { method: 'POST', body: sub.body })).status).toBe(201);
  return sub;
};

describe('unread screens', () => {
  it('name the first unread message, skipping deleted ones, and none when all is read', async () => {
    const chat = await group(ann, [ben]);
    const first = await send(ann, chat.id, 'one');
    await send(ann, chat.id, 'two');
    expect(await view(ben, chat.id)).toMatchObject({ firstUnreadSeq: first.seq, unread: 2 });
    await service.as(ann)(`/api/chats/${chat.id}/messages/${first.id}`, { method: 'DELETE' });
    expect(await view(ben, chat.id)).toMatchObject({ firstUnreadSeq: first.seq + 1, unread: 1 });
    await send(ben, chat.id, 'read them');
    expect(await view(ben, chat.id)).toMatchObject({ firstUnreadSeq: null, unread: 0 });
  });

  it('marks a chat unread for the member only, sends no receipt, and ends it at their next read', async () => {
    const chat = await group(ann, [ben]);
    const anns = await node.connect(ann.id, [chat.id]);
    const sent = await send(ann, chat.id, 'hello');
    // Ben's reply moves his cursor over Ann's message (its message:new says so), before looking for receipts
    const replied = nextEvent(anns, 'message:new', (m) => m.senderId === ben.id);
    await send(ben, chat.id, 'hi');
    expect(await replied).toMatchObject({ chatId: chat.id, seq: sent.seq + 1 });
    const bensOtherTab = await node.connect(ben.id, [chat.id]);
    const receipts = collectEvents(anns, 'receipt');
    const state = nextEvent(bensOtherTab, 'chat:state', (c) => c.id === chat.id && c.markedUnread);
    expect((await service.as(ben)(`/api/chats/${chat.id}/unread`, { method: 'POST' })).status).toBe(204);
    expect(await state).toMatchObject({ markedUnread: true, readSeq: sent.seq + 1 });
    expect(await view(ben, chat.id)).toMatchObject({ markedUnread: true, readSeq: sent.seq + 1 });
    expect(await view(ann, chat.id)).toMatchObject({ markedUnread: false });
    // reading again (nothing new to read) ends it
    const cleared = nextEvent(bensOtherTab, 'chat:state', (c) => c.id === chat.id && !c.markedUnread);
    await service.as(ben)(`/api/chats/${chat.id}/read`, { method: 'POST', body: { seq: sent.seq + 1 } });
    await cleared;
    expect(receipts.filter((r: Receipt) => r.userId === ben.id)).toEqual([]);
    expect((await service.as(cat)(`/api/chats/${chat.id}/unread`, { method: 'POST' })).status).toBe(404);
  });
});

describe('notification levels', () => {
  it('default to all in direct chats and mentions in groups, and change per member', async () => {
    const [d, g] = [await direct(ann, ben), await group(ann, [ben])];
    expect(await view(ben, d.id)).toMatchObject({ notify: 'all', muted: false });
    expect(await view(ben, g.id)).toMatchObject({ notify: 'mentions', muted: false });
    const muted = await service.as(ben)<Chat>(`/api/chats/${g.id}/notify`, { method: 'PUT', body: { notify: 'none' } });
    expect(muted.body).toMatchObject({ notify: 'none', muted: true });
    expect(await view(ann, g.id)).toMatchObject({ notify: 'mentions' });
    const bad = await service.as(ben)(`/api/chats/${g.id}/notify`, { method: 'PUT', body: { notify: 'loud' } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(
      (await service.as(cat)(`/api/chats/${g.id}/notify`, { method: 'PUT', body: { notify: 'all' } })).status,
    ).toBe(404);
  });
});

describe('web push', () => {
  it('pushes a direct message, encrypted for the subscription, to an offline recipient within 5 s', async () => {
    const chat = await direct(ann, cat);
    const cats = await subscribe(cat);
    const anns = await subscribe(ann);
    const sent = await send(ann, chat.id, `hey @[Cat](${cat.id}), look`);
    const push = await pushService.next(cats.path, 5_000);
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(push.headers.authorization).toMatch(/^vapid t=/);
    expect(cats.decrypt(push)).toEqual({
      chatId: chat.id,
      messageId: sent.id,
      seq: sent.seq,
      title: 'Ann',
      body: 'hey @Cat, look',
    });
    // never to the sender: a marker push to cat comes after anything for ann would have been queued
    await send(ann, chat.id, 'marker');
    await pushService.next(cats.path, 5_000, 1);
    expect(pushService.received.filter((r) => r.path === anns.path)).toEqual([]);
  });

  it('follows each recipient’s level and presence: mentions only, muted, connected', async () => {
    const chat = await group(ann, [ben, cat]);
    const bens = await subscribe(ben);
    const cats = await subscribe(cat);
    await service.as(cat)(`/api/chats/${chat.id}/notify`, { method: 'PUT', body: { notify: 'none' } });
    await send(ann, chat.id, 'no mention: nobody is pushed in a group by default');
    await send(ann, chat.id, `@[Ben](${ben.id}) and @[Cat](${cat.id})`);
    const push = bens.decrypt(await pushService.next(bens.path));
    expect(push.title).toBe('Ann · Team');
    expect(push.body).toBe('@Ben and @Cat');
    // ben now has a live socket: the next mention is not pushed to him
    await presence.zadd(presenceSocketsKey(service.redisPrefix, ben.id), Date.now() + 30_000, 'socket-1');
    const again = `@[Ben](${ben.id}) again`;
    const decidedAgain = decided(again);
    await send(ann, chat.id, again);
    await decidedAgain;
    await presence.del(presenceSocketsKey(service.redisPrefix, ben.id));
    await send(ann, chat.id, `@[all](all) last`);
    expect(bens.decrypt(await pushService.next(bens.path, 5_000, 1)).body).toBe('@all last');
    expect(pushService.received.filter((r) => r.path === bens.path)).toHaveLength(2);
    expect(pushService.received.filter((r) => r.path === cats.path)).toEqual([]);
  });

  it('deletes a subscription the push service says is gone', async () => {
    const chat = await direct(ben, cat);
    const gone = await subscribe(ben);
    pushService.answers.set(gone.path, 410);
    await send(cat, chat.id, 'to a browser that unsubscribed');
    await pushService.next(gone.path);
    await until(
      async () => (await service.db('push_subscriptions').where({ endpoint: gone.body.endpoint })).length === 0,
    );
  });

  it('refuses a non-https endpoint, keeps the newest 10 per user, and forgets one on request', async () => {
    const bad = await service.as(ann)('/api/push/subscriptions', {
      method: 'POST',
      body: { endpoint: 'http://push.example.com/x', keys: { p256dh: 'a', auth: 'b' } },
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    const dan = userNamed('Dan', service.users);
    const subs = [];
    for (let i = 0; i < 11; i++) subs.push(await subscribe(dan, `dan-${i}`));
    const kept = await service.db('push_subscriptions').where({ user_id: dan.id }).pluck('endpoint');
    expect(kept).toHaveLength(10);
    expect(kept).not.toContain(subs[0]?.body.endpoint);
    const left = await service.as(dan)('/api/push/subscriptions', {
      method: 'DELETE',
      body: { endpoint: subs[1]?.body.endpoint },
    });
    expect(left.status).toBe(204);
    expect(await service.db('push_subscriptions').where({ user_id: dan.id }).count('* as n').first()).toEqual({
      n: '9',
    });
    expect((await service.as(dan)<{ publicKey: string }>('/api/push/key')).body.publicKey).toMatch(/^B[\w-]{80,}$/);
  });
});
