// The internal API the realtime nodes use: membership lookups and message writes on behalf of a socket's user.
import { randomUUID } from 'node:crypto';
import type { Chat, Message } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningChatHistory, startChatHistory, type TestUser, userNamed } from './support.ts';

let service: RunningChatHistory;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;
let chat: Chat;

beforeAll(async () => {
  service = await startChatHistory();
  [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((name) => userNamed(name, service.users)) as [
    TestUser,
    TestUser,
    TestUser,
  ];
  chat = (
    await service.as(ann)<Chat>('/api/chats/groups', { method: 'POST', body: { title: 'T', memberIds: [ben.id] } })
  ).body;
});

afterAll(async () => {
  await service?.stop();
});

type Sent = { message: Message; created: boolean };
const sendAs = (userId: string, clientId: string, body = 'hello', chatId = chat.id) =>
  service.internal<Sent>(`/internal/chats/${chatId}/messages`, { method: 'POST', body: { userId, clientId, body } });

describe('internal API', () => {
  it('refuses calls without the internal token', async () => {
    expect((await call(service.baseUrl, `/internal/users/${ann.id}/chats`)).status).toBe(401);
    const wrong = await call(service.baseUrl, `/internal/users/${ann.id}/chats`, { internal: 'x'.repeat(30) });
    expect(wrong.status).toBe(401);
    // a user's access token is not the internal token
    expect((await service.as(ann)(`/internal/users/${ann.id}/chats`)).status).toBe(401);
  });

  it('lists the chats of a user and everyone they share a chat with', async () => {
    const { body: withCat } = await service.as(cat)<Chat>('/api/chats/direct', {
      method: 'POST',
      body: { userId: ann.id },
    });
    const chats = await service.internal<{ chatIds: string[] }>(`/internal/users/${ann.id}/chats`);
    expect(chats.body.chatIds.sort()).toEqual([chat.id, withCat.id].sort());
    const contacts = await service.internal<{ userIds: string[] }>(`/internal/users/${ann.id}/contacts`);
    expect(contacts.body.userIds.sort()).toEqual([ben.id, cat.id].sort());
    const bens = await service.internal<{ userIds: string[] }>(`/internal/users/${ben.id}/contacts`);
    expect(bens.body.userIds).toEqual([ann.id]);
    expect((await service.internal(`/internal/users/${randomUUID()}/chats`)).body).toEqual({ chatIds: [] });
    expect((await service.internal('/internal/users/nope/chats')).status).toBe(400);
  });

  it('answers a membership check with the role, or 404', async () => {
    expect((await service.internal(`/internal/chats/${chat.id}/members/${ann.id}`)).body).toEqual({ role: 'owner' });
    expect((await service.internal(`/internal/chats/${chat.id}/members/${ben.id}`)).body).toEqual({ role: 'member' });
    expect((await service.internal(`/internal/chats/${chat.id}/members/${cat.id}`)).status).toBe(404);
    expect((await service.internal(`/internal/chats/${randomUUID()}/members/${ann.id}`)).status).toBe(404);
  });

  it('sends for a member: 201 created, then 200 with the original for the same clientId', async () => {
    const clientId = randomUUID();
    const first = await sendAs(ben.id, clientId);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, message: { senderId: ben.id, clientId, body: 'hello' } });
    const again = await sendAs(ben.id, clientId, 'hello again');
    expect(again).toMatchObject({ status: 200, body: { created: false, message: first.body.message } });
    expect((await sendAs(cat.id, randomUUID())).status).toBe(404);
    expect((await sendAs(ben.id, randomUUID(), ' ')).status).toBe(400);
    expect((await sendAs('nope', randomUUID())).status).toBe(400);
  });

  it('keeps the display name a send brings', async () => {
    const renamed = { userId: ben.id, displayName: 'Benjamin', clientId: randomUUID(), body: 'new name' };
    await service.internal(`/internal/chats/${chat.id}/messages`, { method: 'POST', body: renamed });
    const { body } = await service.as(ann)<Chat>(`/api/chats/${chat.id}`);
    expect(body.members.find((m) => m.userId === ben.id)?.displayName).toBe('Benjamin');
  });

  it('edits and deletes for the sender only', async () => {
    const { message } = (await sendAs(ann.id, randomUUID(), 'draft')).body;
    const path = `/internal/chats/${chat.id}/messages/${message.id}`;
    expect((await service.internal(path, { method: 'PATCH', body: { userId: ben.id, body: 'x' } })).status).toBe(403);
    expect((await service.internal(path, { method: 'PATCH', body: { userId: cat.id, body: 'x' } })).status).toBe(404);
    const edited = await service.internal<{ message: Message }>(path, {
      method: 'PATCH',
      body: { userId: ann.id, body: 'final' },
    });
    expect(edited.body.message).toMatchObject({ id: message.id, body: 'final' });
    expect((await service.internal(path, { method: 'DELETE', body: { userId: ben.id } })).status).toBe(403);
    expect((await service.internal(path, { method: 'DELETE' })).status).toBe(400);
    const deleted = await service.internal<{ message: Message }>(path, { method: 'DELETE', body: { userId: ann.id } });
    expect(deleted.body.message).toMatchObject({ id: message.id, body: '' });
    expect(deleted.body.message.deletedAt).not.toBeNull();
  });

  it('queues a read for a member and refuses a non-member', async () => {
    await sendAs(ann.id, randomUUID());
    const read = await service.internal(`/internal/chats/${chat.id}/read`, {
      method: 'POST',
      body: { userId: ben.id, seq: 1 },
    });
    expect(read.status).toBe(202);
    const outsider = await service.internal(`/internal/chats/${chat.id}/read`, {
      method: 'POST',
      body: { userId: cat.id, seq: 1 },
    });
    expect(outsider.status).toBe(404);
    const bad = await service.internal(`/internal/chats/${chat.id}/read`, {
      method: 'POST',
      body: { userId: ben.id, seq: -1 },
    });
    expect(bad.status).toBe(400);
  });
});
