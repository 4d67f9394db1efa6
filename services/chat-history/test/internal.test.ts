// What the realtime nodes use: membership lookups on the internal API, and the public routes on behalf of a socket's
// user (one command, one schema and one answer for a socket event and its REST call).
import { randomUUID } from 'node:crypto';
import { type Chat, type MessageWithRev, SEND_BATCH_PATH } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  INTERNAL_TOKEN,
  type RunningChatHistory,
  startChatHistory,
  openTransaction,
  type TestUser,
  untilBlocked,
  userNamed,
} from './support.ts';

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

const sendAs = (user: TestUser, clientId: string, body = 'hello', chatId = chat.id) =>
  service.actingFor(user)<MessageWithRev>(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    body: { clientId, body },
  });

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
});

describe('the public routes on behalf of a socket’s user', () => {
  it('refuses a wrong internal token or a missing or malformed user', async () => {
    const path = `/api/chats/${chat.id}`;
    const wrongToken = await call(service.baseUrl, path, {
      internal: 'x'.repeat(30),
      headers: { 'x-on-behalf-of': ann.id },
    });
    expect(wrongToken.status).toBe(401);
    expect((await service.internal(path)).status).toBe(401);
    expect((await service.internal(path, { headers: { 'x-on-behalf-of': 'nope' } })).status).toBe(401);
    expect((await service.actingFor(ann)(path)).status).toBe(200);
  });

  it('sends for a member exactly as REST does: 201 with the message and its rev, then 200 with the original', async () => {
    const clientId = randomUUID();
    const first = await sendAs(ben, clientId);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ senderId: ben.id, clientId, body: 'hello' });
    expect(first.body.rev).toBeGreaterThan(0);
    const again = await sendAs(ben, clientId, 'hello again');
    expect(again).toEqual({ status: 200, body: first.body });
    expect((await sendAs(cat, randomUUID())).status).toBe(404);
    expect((await sendAs(ben, randomUUID(), ' ')).status).toBe(400);
  });

  it('keeps the display name the acting user brings', async () => {
    await sendAs({ ...ben, name: 'Benjamin' }, randomUUID(), 'new name');
    const { body } = await service.as(ann)<Chat>(`/api/chats/${chat.id}`);
    expect(body.members.find((m) => m.userId === ben.id)?.displayName).toBe('Benjamin');
  });

  it('edits and deletes for the sender only', async () => {
    const { body: message } = await sendAs(ann, randomUUID(), 'draft');
    const path = `/api/chats/${chat.id}/messages/${message.id}`;
    expect((await service.actingFor(ben)(path, { method: 'PATCH', body: { body: 'x' } })).status).toBe(403);
    expect((await service.actingFor(cat)(path, { method: 'PATCH', body: { body: 'x' } })).status).toBe(404);
    const edited = await service.actingFor(ann)<MessageWithRev>(path, { method: 'PATCH', body: { body: 'final' } });
    expect(edited.body).toMatchObject({ id: message.id, body: 'final', rev: message.rev + 1 });
    expect((await service.actingFor(ben)(path, { method: 'DELETE' })).status).toBe(403);
    const deleted = await service.actingFor(ann)<MessageWithRev>(path, { method: 'DELETE' });
    expect(deleted.body).toMatchObject({ id: message.id, body: '', rev: message.rev + 2 });
    expect(deleted.body.deletedAt).not.toBeNull();
  });

  it('queues a read for a member and refuses a non-member', async () => {
    await sendAs(ann, randomUUID());
    const read = (user: TestUser, seq: number) =>
      service.actingFor(user)(`/api/chats/${chat.id}/read`, { method: 'POST', body: { seq } });
    expect((await read(ben, 1)).status).toBe(202);
    expect((await read(cat, 1)).status).toBe(404);
    expect((await read(ben, -1)).status).toBe(400);
  });
});

describe('sends the realtime nodes make, several per request', () => {
  type Line = { i: number; status: number; body: Record<string, unknown> };
  const batch = async (sends: unknown[], internal = INTERNAL_TOKEN) => {
    const res = await fetch(new URL(SEND_BATCH_PATH, service.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-token': internal },
      body: JSON.stringify({ sends }),
    });
    const text = await res.text();
    const lines: Line[] =
      res.status === 200
        ? text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
        : [];
    return { status: res.status, type: res.headers.get('content-type'), lines: new Map(lines.map((l) => [l.i, l])) };
  };
  const by = (user: TestUser, message: unknown, chatId = chat.id) => ({
    userId: user.id,
    displayName: user.name,
    chatId,
    message,
  });

  it('answers each send on a line of its own, as REST would: made, repeated, not a member, malformed', async () => {
    const clientId = randomUUID();
    const first = await batch([
      by(ben, { clientId, body: 'one' }),
      by(cat, { clientId: randomUUID(), body: 'not a member' }),
      by(ben, { clientId: randomUUID(), body: ' ' }),
      by(ben, { clientId: randomUUID(), body: 'no such chat id' }, 'nope'),
    ]);
    expect(first.status).toBe(200);
    expect(first.type).toBe('application/x-ndjson');
    expect(first.lines.size).toBe(4);
    expect(first.lines.get(0)).toMatchObject({ status: 201, body: { senderId: ben.id, clientId, body: 'one' } });
    expect(first.lines.get(1)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(first.lines.get(2)).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(first.lines.get(3)).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    const again = await batch([by(ben, { clientId, body: 'one, again' })]);
    expect(again.lines.get(0)).toEqual({ i: 0, status: 200, body: first.lines.get(0)?.body });
    const history = await service.as(ann)<{ messages: MessageWithRev[] }>(`/api/chats/${chat.id}/messages`);
    expect(history.body.messages.filter((m) => m.clientId === clientId)).toHaveLength(1);
  });

  it("writes a batch's sends to one chat together: consecutive seqs and revs, one commit, each its own answer", async () => {
    const group = await service.group(ann, [ben], 'together');
    const repeated = randomUUID();
    const { lines } = await batch([
      by(ann, { clientId: randomUUID(), body: 'a1' }, group.id),
      by(ben, { clientId: repeated, body: 'b1' }, group.id),
      by(ann, { clientId: randomUUID(), body: 'a2' }, group.id),
      by(ben, { clientId: repeated, body: 'b1, again' }, group.id),
      by(cat, { clientId: randomUUID(), body: 'not a member' }, group.id),
    ]);
    const made = [0, 1, 2].map((i) => lines.get(i) as Line);
    expect(made.map((l) => l.status)).toEqual([201, 201, 201]);
    expect(made.map((l) => l.body.body)).toEqual(['a1', 'b1', 'a2']);
    const seqs = made.map((l) => Number(l.body.seq)).sort();
    const revs = made.map((l) => Number(l.body.rev)).sort();
    expect(seqs).toEqual([1, 2, 3]);
    expect(revs).toEqual([revs[0], (revs[0] as number) + 1, (revs[0] as number) + 2]);
    // one transaction: the same commit time
    expect(new Set(made.map((l) => l.body.createdAt)).size).toBe(1);
    // the same clientId twice: the second waited for the first to commit and answers with it
    expect(lines.get(3)).toEqual({ i: 3, status: 200, body: made[1]?.body });
    expect(lines.get(4)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    // operators see it: a group of more than two (the members' three sends and the stranger's) was written
    const scrape = await (await fetch(new URL('/metrics', service.baseUrl))).text();
    const bucket = (le: number) =>
      Number(scrape.match(new RegExp(`send_group_size_bucket\\{[^}]*le="${le}"[^}]*\\} (\\d+)`))?.[1]);
    expect(bucket(4) - bucket(2)).toBeGreaterThanOrEqual(1);
  });

  it('sends each of a group alone when another process took one of its clientIds meanwhile, leaving no gap', async () => {
    const group = await service.group(ann, [ben], 'race');
    const taken = randomUUID();
    // another process's send of the same clientId, not committed yet: the group's statement waits for it, then fails
    const elsewhere = await openTransaction(service.db, (trx) =>
      trx('messages').insert({
        chat_id: group.id,
        seq: 1_000_000,
        sender_id: ben.id,
        client_id: taken,
        body: 'sent elsewhere',
      }),
    );
    const answering = batch([
      by(ann, { clientId: randomUUID(), body: 'mine' }, group.id),
      by(ben, { clientId: taken, body: 'the same, from here' }, group.id),
    ]);
    try {
      await untilBlocked(service.db, 1);
    } finally {
      await elsewhere.commit();
    }
    const { lines } = await answering;
    expect(lines.get(0)).toMatchObject({ status: 201, body: { body: 'mine', seq: 1 } });
    expect(lines.get(1)).toMatchObject({ status: 200, body: { body: 'sent elsewhere', clientId: taken } });
    const next = await sendAs(ann, randomUUID(), 'next', group.id);
    expect(next.body.seq).toBe(2);
  });

  it('refuses a batch without the internal token, and an empty or malformed one as a whole', async () => {
    expect((await batch([by(ben, { clientId: randomUUID(), body: 'x' })], 'x'.repeat(30))).status).toBe(401);
    expect((await batch([])).status).toBe(400);
    expect((await batch([{ userId: 'nope', chatId: chat.id, message: {} }])).status).toBe(400);
  });
});
