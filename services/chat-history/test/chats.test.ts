// Chats and their members through the REST API: who may see, create, add and remove what.
import { randomUUID } from 'node:crypto';
import type { Chat } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningChatHistory, startChatHistory, type TestUser, userNamed } from './support.ts';

let service: RunningChatHistory;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;
let dan: TestUser;

beforeAll(async () => {
  service = await startChatHistory();
  [ann, ben, cat, dan] = ['Ann', 'Ben', 'Cat', 'Dan'].map((name) => userNamed(name, service.users)) as TestUser[] as [
    TestUser,
    TestUser,
    TestUser,
    TestUser,
  ];
});

afterAll(async () => {
  await service?.stop();
});

const direct = (user: TestUser, other: string) =>
  service.as(user)<Chat>('/api/chats/direct', { method: 'POST', body: { userId: other } });
const group = (owner: TestUser, members: TestUser[], title = 'Group') =>
  service.as(owner)<Chat>('/api/chats/groups', {
    method: 'POST',
    body: { title, memberIds: members.map((m) => m.id) },
  });
const add = (user: TestUser, chatId: string, userIds: string[]) =>
  service.as(user)<Chat>(`/api/chats/${chatId}/members`, { method: 'POST', body: { userIds } });
const remove = (user: TestUser, chatId: string, userId: string) =>
  service.as(user)(`/api/chats/${chatId}/members/${userId}`, { method: 'DELETE' });
const memberIds = (chat: Chat) => chat.members.map((m) => m.userId).sort();
const idsOf = (...users: TestUser[]) => users.map((u) => u.id).sort();

describe('direct chats', () => {
  it('opens one chat per pair: 201 the first time, 200 with the same chat after, from either side', async () => {
    const first = await direct(ann, ben.id);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kind: 'direct', title: null, lastSeq: 0, lastMessage: null, unread: 0 });
    expect(first.body.members.map((m) => m.displayName).sort()).toEqual(['Ann', 'Ben']);
    const again = await direct(ann, ben.id);
    const fromBen = await direct(ben, ann.id);
    expect([again.status, fromBen.status]).toEqual([200, 200]);
    expect(new Set([first.body.id, again.body.id, fromBen.body.id]).size).toBe(1);
  });

  it('makes one chat when both sides open it at the same time', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? direct(cat, dan.id) : direct(dan, cat.id))),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  });

  it('refuses a chat with yourself, or with an unknown or inactive user, naming the field', async () => {
    expect(await direct(ann, ann.id)).toMatchObject({ status: 400, body: { errors: [{ path: 'userId' }] } });
    expect(await direct(ann, randomUUID())).toMatchObject({ status: 400, body: { errors: [{ path: 'userId' }] } });
    const gone = userNamed('Gone', service.users);
    service.users.set(gone.id, { displayName: 'Gone', isActive: false });
    expect((await direct(ann, gone.id)).status).toBe(400);
    expect((await direct(ann, 'not-a-uuid')).status).toBe(400);
  });

  it('never changes members: adding or removing is forbidden', async () => {
    const { body: chat } = await direct(ann, ben.id);
    expect((await add(ann, chat.id, [cat.id])).status).toBe(403);
    expect((await remove(ann, chat.id, ben.id)).status).toBe(403);
    expect((await remove(ann, chat.id, ann.id)).status).toBe(403);
  });
});

describe('groups', () => {
  it('makes the creator the owner and takes every member once', async () => {
    const { status, body } = await service.as(ann)<Chat>('/api/chats/groups', {
      method: 'POST',
      body: { title: '  Trip  ', memberIds: [ben.id, ben.id, ann.id, cat.id] },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ kind: 'group', title: 'Trip' });
    expect(memberIds(body)).toEqual(idsOf(ann, ben, cat));
    expect(body.members.find((m) => m.userId === ann.id)?.role).toBe('owner');
    expect(body.members.filter((m) => m.role === 'owner')).toHaveLength(1);
  });

  it('refuses an empty title or an unknown member', async () => {
    expect((await group(ann, [], ' ')).status).toBe(400);
    const unknown = await service.as(ann)('/api/chats/groups', {
      method: 'POST',
      body: { title: 'x', memberIds: [ben.id, randomUUID()] },
    });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'bad_request', errors: [{ path: 'memberIds' }] } });
  });

  it('lets the owner add and remove members; other members get 403 for anyone but themselves', async () => {
    const { body: chat } = await group(ann, [ben]);
    expect((await add(ben, chat.id, [cat.id])).status).toBe(403);
    const added = await add(ann, chat.id, [cat.id, dan.id]);
    expect(added.status).toBe(200);
    expect(memberIds(added.body)).toEqual(idsOf(ann, ben, cat, dan));
    expect((await add(ann, chat.id, [randomUUID()])).status).toBe(400);

    expect((await remove(ben, chat.id, cat.id)).status).toBe(403);
    expect((await remove(ann, chat.id, cat.id)).status).toBe(204);
    expect((await service.as(cat)(`/api/chats/${chat.id}`)).status).toBe(404);
    expect((await remove(ann, chat.id, cat.id)).status).toBe(404);

    expect((await remove(dan, chat.id, dan.id)).status).toBe(204);
    const left = await service.as(ann)<Chat>(`/api/chats/${chat.id}`);
    expect(memberIds(left.body)).toEqual(idsOf(ann, ben));
  });

  it('hands ownership to the longest-standing member when the owner leaves', async () => {
    const { body: chat } = await group(ann, [ben, cat]);
    expect((await remove(ann, chat.id, ann.id)).status).toBe(204);
    const after = await service.as(ben)<Chat>(`/api/chats/${chat.id}`);
    expect(after.body.members.filter((m) => m.role === 'owner')).toHaveLength(1);
    expect(
      (await add(after.body.members.find((m) => m.role === 'owner')?.userId === ben.id ? ben : cat, chat.id, [dan.id]))
        .status,
    ).toBe(200);
  });

  it('lists a user’s chats newest activity first, each with its last message', async () => {
    const eve = userNamed('Eve', service.users);
    const { body: older } = await group(eve, [ann], 'older');
    const { body: newer } = await group(eve, [ben], 'newer');
    await service.as(eve)(`/api/chats/${older.id}/messages`, { method: 'POST', body: { clientId: 'c1', body: 'hi' } });
    const { body } = await service.as(eve)<{ chats: Chat[] }>('/api/chats');
    expect(body.chats.map((c) => c.id)).toEqual([older.id, newer.id]);
    expect(body.chats[0]).toMatchObject({ lastSeq: 1, lastMessage: { seq: 1, body: 'hi' }, readSeq: 1, unread: 0 });
    expect(body.chats[1]).toMatchObject({ lastSeq: 0, lastMessage: null });
  });
});

describe('outsiders', () => {
  it('get 404 for everything about a chat they are not in, the same as for a chat that does not exist', async () => {
    const { body: chat } = await group(ann, [ben]);
    const sent = await service.as(ann)<{ id: string }>(`/api/chats/${chat.id}/messages`, {
      method: 'POST',
      body: { clientId: 'x', body: 'private' },
    });
    for (const chatId of [chat.id, randomUUID()]) {
      const base = `/api/chats/${chatId}`;
      const attempts = [
        service.as(cat)(base),
        service.as(cat)(`${base}/messages`),
        service.as(cat)(`${base}/messages?after=0`),
        service.as(cat)(`${base}/messages`, { method: 'POST', body: { clientId: 'x', body: 'let me in' } }),
        service.as(cat)(`${base}/messages/${sent.body.id}`, { method: 'PATCH', body: { body: 'mine' } }),
        service.as(cat)(`${base}/messages/${sent.body.id}`, { method: 'DELETE' }),
        service.as(cat)(`${base}/members`, { method: 'POST', body: { userIds: [cat.id] } }),
        service.as(cat)(`${base}/members/${cat.id}`, { method: 'DELETE' }),
        service.as(cat)(`${base}/members/${ben.id}`, { method: 'DELETE' }),
        service.as(cat)(`${base}/read`, { method: 'POST', body: { seq: 1 } }),
        service.as(cat)(`${base}/receipts`),
      ];
      for (const answer of await Promise.all(attempts)) {
        expect(answer).toMatchObject({ status: 404, body: { code: 'not_found', detail: 'No such chat' } });
      }
    }
    const { body: cats } = await service.as(cat)<{ chats: Chat[] }>('/api/chats');
    expect(cats.chats.map((c) => c.id)).not.toContain(chat.id);
  });

  it('without a valid token get 401', async () => {
    expect((await service.as({ ...ann, token: 'nope' })('/api/chats')).status).toBe(401);
    expect((await service.as({ ...ann, token: '' })('/api/chats')).status).toBe(401);
  });
});

describe('reads', () => {
  it('accepts a read position with 202 and lists every member’s cursor', async () => {
    const { body: chat } = await group(ann, [ben]);
    await service.as(ann)(`/api/chats/${chat.id}/messages`, {
      method: 'POST',
      body: { clientId: 'r', body: 'read me' },
    });
    expect((await service.as(ben)(`/api/chats/${chat.id}/read`, { method: 'POST', body: { seq: 1 } })).status).toBe(
      202,
    );
    expect((await service.as(ben)(`/api/chats/${chat.id}/read`, { method: 'POST', body: { seq: -1 } })).status).toBe(
      400,
    );
    const { body } = await service.as(ben)<{ receipts: { userId: string; readSeq: number }[] }>(
      `/api/chats/${chat.id}/receipts`,
    );
    expect(body.receipts).toContainEqual({ userId: ann.id, readSeq: 1 });
    expect(body.receipts).toHaveLength(2);
  });
});
