// Replies, mentions, reactions and pins through the REST API: each a change with a rev, checked on the server.
import { randomUUID } from 'node:crypto';
import type { ChangesResponse, Chat, Message, MessageWithRev } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  nextEvent,
  type RunningChatHistory,
  startChatHistory,
  startSocketNode,
  type TestUser,
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

const group = (owner: TestUser, members: TestUser[]) => service.group(owner, members, 'Talk');
const send = (user: TestUser, chatId: string, body: string, replyTo?: string) =>
  service.as(user)<MessageWithRev>(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), body, ...(replyTo ? { replyTo } : {}) },
  });
const history = async (user: TestUser, chatId: string, query = '') =>
  (await service.as(user)<{ messages: Message[] }>(`/api/chats/${chatId}/messages${query}`)).body.messages;
const view = async (user: TestUser, chatId: string) => (await service.as(user)<Chat>(`/api/chats/${chatId}`)).body;
const reaction = (user: TestUser, chatId: string, messageId: string, emoji: string, method: 'PUT' | 'DELETE') =>
  service.as(user)<MessageWithRev>(
    `/api/chats/${chatId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`,
    { method },
  );
const pin = (user: TestUser, chatId: string, messageId: string, method: 'PUT' | 'DELETE' = 'PUT') =>
  service.as(user)<Chat>(`/api/chats/${chatId}/pins/${messageId}`, { method });

describe('replies', () => {
  it('quote the original as it is now: edited, then deleted', async () => {
    const chat = await group(ann, [ben]);
    const { body: original } = await send(ann, chat.id, 'the original question, long enough to be quoted');
    const { status, body: answer } = await send(ben, chat.id, 'the answer', original.id);
    expect(status).toBe(201);
    expect(answer.replyTo).toEqual({
      id: original.id,
      seq: original.seq,
      senderId: ann.id,
      preview: 'the original question, long enough to be quoted',
      deleted: false,
    });
    const path = `/api/chats/${chat.id}/messages/${original.id}`;
    await service.as(ann)(path, { method: 'PATCH', body: { body: `${'x'.repeat(130)} edited` } });
    expect((await history(ben, chat.id)).at(-1)?.replyTo?.preview).toBe('x'.repeat(120));
    await service.as(ann)(path, { method: 'DELETE' });
    expect((await history(ben, chat.id)).at(-1)?.replyTo).toMatchObject({ preview: '', deleted: true });
  });

  it('refuse a reply to a message of another chat, or to no message, with 400', async () => {
    const [one, two] = [await group(ann, [ben]), await group(ann, [ben])];
    const { body: elsewhere } = await send(ann, two.id, 'elsewhere');
    const wrong = await send(ann, one.id, 'reply', elsewhere.id);
    expect(wrong).toMatchObject({ status: 400, body: { code: 'bad_request', errors: [{ path: 'replyTo' }] } });
    expect((await send(ann, one.id, 'reply', randomUUID())).status).toBe(400);
    expect((await send(ann, one.id, 'reply', 'nope')).status).toBe(400);
    expect(await history(ann, one.id)).toEqual([]);
  });

  it('jump to an old message with around=seq: the page centred on it', async () => {
    const chat = await group(ann, [ben]);
    for (let i = 1; i <= 30; i++) await send(ann, chat.id, `m${i}`);
    const page = await history(ben, chat.id, '?around=10&limit=6');
    expect(page.map((m) => m.seq)).toEqual([7, 8, 9, 10, 11, 12]);
    expect((await history(ben, chat.id, '?around=2&limit=6')).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await service.as(ben)(`/api/chats/${chat.id}/messages?around=0`)).status).toBe(400);
  });
});

describe('mentions', () => {
  it('name members only, count as unread mentions for them, and clear when they read past them', async () => {
    const chat = await group(ann, [ben]);
    const body = `hi @[Ben](${ben.id}) and @[Cat](${cat.id}), also @[all](all)`;
    const { body: sent } = await send(ann, chat.id, body);
    // Cat is not a member: dropped
    expect(sent.mentions).toEqual([ben.id, 'all']);
    await send(ann, chat.id, `@[Ben](${ben.id}) again`);
    await send(ann, chat.id, 'no mention');
    expect(await view(ben, chat.id)).toMatchObject({ unread: 3, unreadMentions: 2 });
    expect(await view(ann, chat.id)).toMatchObject({ unreadMentions: 0 });
    // an edit that drops the mention drops it from the count
    await service.as(ann)(`/api/chats/${chat.id}/messages/${sent.id}`, { method: 'PATCH', body: { body: 'hi all' } });
    expect(await view(ben, chat.id)).toMatchObject({ unreadMentions: 1 });
    // ben answering moves his cursor past them
    await send(ben, chat.id, 'read it');
    expect(await view(ben, chat.id)).toMatchObject({ unread: 0, unreadMentions: 0 });
  });

  it('treat @all as everyone in a group only', async () => {
    const { body: direct } = await service.as(ann)<Chat>('/api/chats/direct', {
      method: 'POST',
      body: { userId: ben.id },
    });
    const { body: sent } = await send(ann, direct.id, 'hey @[all](all)');
    expect(sent.mentions).toEqual([]);
  });
});

describe('reactions', () => {
  it('toggle per user, keep first-use order, and are changes with a rev seen live', async () => {
    const chat = await group(ann, [ben, cat]);
    const { body: message } = await send(ann, chat.id, 'react to me');
    const bens = await node.connect(ben.id, [chat.id]);
    const live = nextEvent(bens, 'message:updated', (m) => m.id === message.id && m.reactions.length === 1);
    const first = await reaction(cat, chat.id, message.id, '🎉', 'PUT');
    expect(first.body).toMatchObject({ rev: message.rev + 1, reactions: [{ emoji: '🎉', userIds: [cat.id] }] });
    expect((await live).rev).toBe(message.rev + 1);
    await reaction(ann, chat.id, message.id, '👍🏽', 'PUT');
    const both = await reaction(ann, chat.id, message.id, '🎉', 'PUT');
    expect(both.body.reactions).toEqual([
      { emoji: '🎉', userIds: [cat.id, ann.id] },
      { emoji: '👍🏽', userIds: [ann.id] },
    ]);
    // adding it again changes nothing: the same rev
    expect((await reaction(ann, chat.id, message.id, '🎉', 'PUT')).body.rev).toBe(both.body.rev);
    // the order is that of the reactions there now: 🎉 is now first used by ann, after her 👍🏽
    const removed = await reaction(cat, chat.id, message.id, '🎉', 'DELETE');
    expect(removed.body.reactions).toEqual([
      { emoji: '👍🏽', userIds: [ann.id] },
      { emoji: '🎉', userIds: [ann.id] },
    ]);
    const replayed = await service.as(ben)<ChangesResponse>(`/api/chats/${chat.id}/changes?after=${message.rev}`);
    expect(replayed.body.changes.map((c) => c.kind)).toEqual([
      'message.updated',
      'message.updated',
      'message.updated',
      'message.updated',
    ]);
  });

  it('refuse what is not one emoji, a 21st different emoji, outsiders and deleted messages', async () => {
    const chat = await group(ann, [ben]);
    const { body: message } = await send(ann, chat.id, 'x');
    for (const bad of ['a', '👍👍', 'ok', ' ']) {
      expect((await reaction(ben, chat.id, message.id, bad, 'PUT')).status).toBe(400);
    }
    const twenty = [...'😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚'];
    for (const e of twenty) expect((await reaction(ben, chat.id, message.id, e, 'PUT')).status).toBe(200);
    const tooMany = await reaction(ben, chat.id, message.id, '🤖', 'PUT');
    expect(tooMany).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    // one already there can still be added by someone else
    expect((await reaction(ann, chat.id, message.id, '😀', 'PUT')).status).toBe(200);
    expect((await reaction(cat, chat.id, message.id, '😀', 'PUT')).status).toBe(404);
    await service.as(ann)(`/api/chats/${chat.id}/messages/${message.id}`, { method: 'DELETE' });
    expect((await reaction(ben, chat.id, message.id, '🎉', 'PUT')).status).toBe(409);
    expect((await history(ben, chat.id))[0]?.reactions).toEqual([]);
  });
});

describe('pins', () => {
  it('are the owner’s in a group, newest first, live with a rev, and go with the message', async () => {
    const chat = await group(ann, [ben]);
    const { body: one } = await send(ben, chat.id, 'one');
    const { body: two } = await send(ben, chat.id, 'two');
    expect((await pin(ben, chat.id, one.id)).status).toBe(403);
    expect((await pin(cat, chat.id, one.id)).status).toBe(404);
    expect((await pin(ann, chat.id, randomUUID())).status).toBe(404);
    const bens = await node.connect(ben.id, [chat.id]);
    const live = nextEvent(bens, 'pins:updated', (p) => p.chatId === chat.id);
    expect((await pin(ann, chat.id, one.id)).body.pinned).toEqual([one.id]);
    expect(await live).toEqual({ chatId: chat.id, pinned: [one.id], rev: two.rev + 1 });
    expect((await pin(ann, chat.id, two.id)).body.pinned).toEqual([two.id, one.id]);
    // pinning again changes nothing
    expect((await pin(ann, chat.id, two.id)).body).toMatchObject({ pinned: [two.id, one.id], rev: two.rev + 2 });
    expect((await pin(ann, chat.id, two.id, 'DELETE')).body.pinned).toEqual([one.id]);
    // deleting a pinned message unpins it
    await service.as(ben)(`/api/chats/${chat.id}/messages/${one.id}`, { method: 'DELETE' });
    expect((await view(ann, chat.id)).pinned).toEqual([]);
    expect((await pin(ann, chat.id, one.id)).status).toBe(409);
  });

  it('are either member’s in a direct chat', async () => {
    const { body: direct } = await service.as(ann)<Chat>('/api/chats/direct', {
      method: 'POST',
      body: { userId: cat.id },
    });
    const { body: message } = await send(ann, direct.id, 'pin me');
    expect((await pin(cat, direct.id, message.id)).body.pinned).toEqual([message.id]);
  });
});
