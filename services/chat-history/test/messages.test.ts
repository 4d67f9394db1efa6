// Sending, retrying, paging, editing and deleting messages through the REST API, against real PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { Chat, Message } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTransaction,
  type RunningChatHistory,
  startChatHistory,
  type TestUser,
  untilBlocked,
  userNamed,
} from './support.ts';

let service: RunningChatHistory;
let ann: TestUser;
let ben: TestUser;

beforeAll(async () => {
  service = await startChatHistory();
  ann = userNamed('Ann', service.users);
  ben = userNamed('Ben', service.users);
});

afterAll(async () => {
  await service?.stop();
});

async function newGroup(owner: TestUser, members: TestUser[], title = 'Team'): Promise<Chat> {
  const { status, body } = await service.as(owner)<Chat>('/api/chats/groups', {
    method: 'POST',
    body: { title, memberIds: members.map((m) => m.id) },
  });
  expect(status).toBe(201);
  return body;
}

const send = (user: TestUser, chatId: string, body: string, clientId: string = randomUUID()) =>
  service.as(user)<Message>(`/api/chats/${chatId}/messages`, { method: 'POST', body: { clientId, body } });

const history = async (user: TestUser, chatId: string, query = '') =>
  (await service.as(user)<{ messages: Message[] }>(`/api/chats/${chatId}/messages${query}`)).body.messages;

const seqs = (messages: Message[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('sending', () => {
  it('numbers 50 concurrent sends 1..50 with no gap and no repeat', async () => {
    const chat = await newGroup(ann, [ben]);
    const answers = await Promise.all(range(1, 50).map((i) => send(i % 2 ? ann : ben, chat.id, `message ${i}`)));
    expect(answers.filter((a) => a.status !== 201).map((a) => a.body)).toEqual([]);
    expect(answers.map((a) => a.body.seq).sort((a, b) => a - b)).toEqual(range(1, 50));
    expect(seqs(await history(ann, chat.id, '?limit=100'))).toEqual(range(1, 50));
  });

  it('numbers plain sends, replies and mentions of one sender sent at once in one gapless run', async () => {
    const chat = await newGroup(ann, [ben]);
    const first = await send(ann, chat.id, 'first');
    // a plain message is one statement, a reply or a mention a transaction: both lock the sender, then the chat
    const answers = await Promise.all(
      range(1, 30).map((i) =>
        i % 3 === 0
          ? service.as(ann)<Message>(`/api/chats/${chat.id}/messages`, {
              method: 'POST',
              body: { clientId: randomUUID(), body: `reply ${i}`, replyTo: first.body.id },
            })
          : send(ann, chat.id, i % 3 === 1 ? `plain ${i}` : `@[Ben](${ben.id}) ${i}`),
      ),
    );
    expect(answers.filter((a) => a.status !== 201).map((a) => a.body)).toEqual([]);
    expect(answers.map((a) => a.body.seq).sort((a, b) => a - b)).toEqual(range(2, 31));
    expect(seqs(await history(ben, chat.id, '?limit=100'))).toEqual(range(1, 31));
    const chatOf = async (user: TestUser) =>
      (await service.as(user)<{ chats: Chat[] }>('/api/chats')).body.chats.find((c) => c.id === chat.id);
    expect(await chatOf(ann)).toMatchObject({ unread: 0 });
    expect(await chatOf(ben)).toMatchObject({ unread: 31 });
  });

  it('makes one message of the same clientId sent concurrently: one 201, the others 200 with the original', async () => {
    const chat = await newGroup(ann, [ben]);
    const clientId = randomUUID();
    const answers = await Promise.all(range(1, 10).map(() => send(ann, chat.id, 'only once', clientId)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(9);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const again = await send(ann, chat.id, 'a different body', clientId);
    expect(again).toMatchObject({ status: 200, body: { id: answers[0]?.body.id, body: 'only once', seq: 1 } });
    // the seq of a refused duplicate was given back: the next message is 2
    expect((await send(ann, chat.id, 'next')).body.seq).toBe(2);
    expect(seqs(await history(ben, chat.id))).toEqual([1, 2]);
  });

  it('refuses a clientId another member already used in the chat with 409, making no second message', async () => {
    const chat = await newGroup(ann, [ben]);
    const clientId = randomUUID();
    const [first, second] = await Promise.all([
      send(ann, chat.id, 'ann', clientId),
      send(ben, chat.id, 'ben', clientId),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    expect(seqs(await history(ann, chat.id))).toEqual([1]);
  });

  it('answers a same-clientId send that lost the race at the insert with the original, and leaves no gap', async () => {
    const chat = await newGroup(ann, [ben]);
    const first = (await send(ann, chat.id, 'first')).body;
    const clientId = randomUUID();
    // hold the chat's row so both sends pass the clientId check and queue for the next seq; the row is held before
    // either send starts (else one could finish before the hold and leave nothing to race)
    const holding = await openTransaction(service.db, (trx) => trx('chats').where({ id: chat.id }).forUpdate());
    // a plain send and a reply: this process writes a chat's plain sends one group after another, so only sends that
    // take different paths (or come from different processes) race at the insert
    const racing = [
      send(ann, chat.id, 'ann', clientId),
      service.as(ben)<Message>(`/api/chats/${chat.id}/messages`, {
        method: 'POST',
        body: { clientId, body: 'ben', replyTo: first.id },
      }),
    ];
    try {
      // both sends wait behind the held row (whatever else the database is doing)
      await untilBlocked(service.db, 2);
    } finally {
      await holding.commit();
    }
    const answers = await Promise.all(racing);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect((await send(ann, chat.id, 'next')).body.seq).toBe(3);
  });

  it('trims the body and refuses an empty or oversized one with bad_request naming the field', async () => {
    const chat = await newGroup(ann, [ben]);
    expect((await send(ann, chat.id, '  hello  ')).body.body).toBe('hello');
    for (const body of ['   ', 'x'.repeat(4001)]) {
      const refused = await send(ann, chat.id, body);
      expect(refused).toMatchObject({ status: 400, body: { code: 'bad_request', errors: [{ path: 'body' }] } });
    }
    const noClientId = await service.as(ann)(`/api/chats/${chat.id}/messages`, { method: 'POST', body: { body: 'x' } });
    expect(noClientId).toMatchObject({ status: 400, body: { errors: [{ path: 'clientId' }] } });
  });

  it('moves the sender’s read cursor to their own message and counts unread messages from others', async () => {
    const chat = await newGroup(ann, [ben]);
    await send(ann, chat.id, 'one');
    await send(ann, chat.id, 'two');
    const deleted = await send(ann, chat.id, 'three');
    await service.as(ann)(`/api/chats/${chat.id}/messages/${deleted.body.id}`, { method: 'DELETE' });
    const anns = (await service.as(ann)<Chat>(`/api/chats/${chat.id}`)).body;
    expect(anns).toMatchObject({ lastSeq: 3, readSeq: 3, unread: 0 });
    const bens = (await service.as(ben)<Chat>(`/api/chats/${chat.id}`)).body;
    // deleted messages do not count
    expect(bens).toMatchObject({ lastSeq: 3, readSeq: 0, unread: 2 });
    await send(ben, chat.id, 'four');
    expect((await service.as(ben)<Chat>(`/api/chats/${chat.id}`)).body).toMatchObject({ readSeq: 4, unread: 0 });
    expect((await service.as(ann)<Chat>(`/api/chats/${chat.id}`)).body).toMatchObject({ readSeq: 3, unread: 1 });
  });
});

describe('history', () => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await newGroup(ann, [ben], 'Long');
    for (let i = 1; i <= 120; i++) await send(i % 3 ? ann : ben, chat.id, `m${i}`);
  });

  it('catches up with after=: exactly the missed messages, in order, page by page', async () => {
    expect(seqs(await history(ben, chat.id, '?after=117'))).toEqual([118, 119, 120]);
    expect(seqs(await history(ben, chat.id, '?after=10&limit=5'))).toEqual(range(11, 15));
    const all: Message[] = [];
    for (let page = await history(ben, chat.id, '?after=0'); page.length; ) {
      all.push(...page);
      page = await history(ben, chat.id, `?after=${page.at(-1)?.seq}`);
    }
    expect(seqs(all)).toEqual(range(1, 120));
    expect(all.map((m) => m.body)).toEqual(range(1, 120).map((i) => `m${i}`));
    expect(await history(ben, chat.id, '?after=120')).toEqual([]);
  });

  it('pages back with before=, each page ascending, and starts at the newest page by default', async () => {
    const newest = await history(ben, chat.id);
    expect(seqs(newest)).toEqual(range(71, 120));
    expect(seqs(await history(ben, chat.id, '?before=71'))).toEqual(range(21, 70));
    expect(seqs(await history(ben, chat.id, '?before=21&limit=100'))).toEqual(range(1, 20));
    expect(seqs(await history(ben, chat.id, '?limit=3'))).toEqual([118, 119, 120]);
  });

  it('refuses a limit over 100 and a malformed cursor', async () => {
    for (const query of ['?limit=101', '?limit=0', '?after=-1', '?before=abc']) {
      expect((await service.as(ben)(`/api/chats/${chat.id}/messages${query}`)).status).toBe(400);
    }
  });
});

describe('editing and deleting', () => {
  it('lets the sender edit and delete, and shows a deleted message in history with an empty body', async () => {
    const chat = await newGroup(ann, [ben]);
    const sent = (await send(ann, chat.id, 'first draft')).body;
    const edited = await service.as(ann)<Message>(`/api/chats/${chat.id}/messages/${sent.id}`, {
      method: 'PATCH',
      body: { body: ' final ' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: sent.id, seq: sent.seq, body: 'final', deletedAt: null });
    expect(edited.body.editedAt).not.toBeNull();

    const deleted = await service.as(ann)<Message>(`/api/chats/${chat.id}/messages/${sent.id}`, { method: 'DELETE' });
    expect(deleted.body).toMatchObject({ id: sent.id, body: '' });
    expect(deleted.body.deletedAt).not.toBeNull();
    const { rev: _deletedAt, ...tombstone } = deleted.body as Message & { rev: number };
    expect(await history(ben, chat.id)).toEqual([tombstone]);

    const editAfterDelete = await service.as(ann)(`/api/chats/${chat.id}/messages/${sent.id}`, {
      method: 'PATCH',
      body: { body: 'back again' },
    });
    expect(editAfterDelete).toMatchObject({ status: 409, body: { code: 'conflict' } });
  });

  it('answers another member editing or deleting with 403 and changes nothing', async () => {
    const chat = await newGroup(ann, [ben]);
    const sent = (await send(ann, chat.id, 'mine')).body;
    const path = `/api/chats/${chat.id}/messages/${sent.id}`;
    const edit = await service.as(ben)(path, { method: 'PATCH', body: { body: 'yours now' } });
    expect(edit).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await service.as(ben)(path, { method: 'DELETE' })).status).toBe(403);
    const { rev: _sentAt, ...original } = sent as Message & { rev: number };
    expect(await history(ben, chat.id)).toEqual([original]);
  });

  it('answers an unknown message with 404 and a malformed id with 400', async () => {
    const chat = await newGroup(ann, [ben]);
    const unknown = `/api/chats/${chat.id}/messages/${randomUUID()}`;
    expect((await service.as(ann)(unknown, { method: 'PATCH', body: { body: 'x' } })).status).toBe(404);
    expect((await service.as(ann)(unknown, { method: 'DELETE' })).status).toBe(404);
    const malformed = await service.as(ann)(`/api/chats/${chat.id}/messages/nope`, { method: 'DELETE' });
    expect(malformed).toMatchObject({ status: 400, body: { errors: [{ path: 'messageId' }] } });
  });
});
