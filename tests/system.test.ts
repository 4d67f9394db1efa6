// The public contract through the gateway, with every service running as a real process and two realtime nodes.
import { randomUUID } from 'node:crypto';
import { devKeys } from '@chat/infra/testing';
import type { Chat, Message, MessageWithRev, User } from '@chat/kit/contract';
import jwt from 'jsonwebtoken';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFor,
  type Client,
  collect,
  connect,
  connectElsewhere,
  groupOf,
  login,
  next,
  register,
  send,
} from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;
let base: string;

beforeAll(async () => {
  system = await startSystem({ PRESENCE_HEARTBEAT_SECONDS: '1', PRESENCE_TTL_SECONDS: '3' });
  base = system.baseUrl;
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('accounts through the gateway', () => {
  it('lets the demo accounts log in, and keeps the admin API for admins', async () => {
    const first = await login(base, 'first@mail.ru');
    const admin = await login(base, 'admin@mail.ru');
    expect(admin.user.isAdmin).toBe(true);
    const refused = await first.api('/api/admin/users');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden', status: 403 });
    const listed = await admin.api<{ users: User[] }>('/api/admin/users');
    expect(listed.body.users.map((u) => u.email)).toContain('first@mail.ru');
  });

  it('answers a taken e-mail with 409 and invalid fields with 400 naming them', async () => {
    const api = apiFor(base);
    const taken = await api('/api/auth/register', {
      method: 'POST',
      body: { email: 'first@mail.ru', password: 'long enough pw', displayName: 'x' },
    });
    expect(taken).toMatchObject({ status: 409, body: { code: 'conflict' } });
    const bad = await api<{ errors: { path: string }[] }>('/api/auth/register', {
      method: 'POST',
      body: { email: 'nope', password: 'short', displayName: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual(['displayName', 'email', 'password']);
  });

  it('refuses a socket without a valid token with connect_error "unauthorized"', async () => {
    await expect(connect(base, 'not-a-token')).rejects.toThrow('unauthorized');
  });
});

describe('messages across realtime nodes', () => {
  let alice: Client;
  let bob: Client;
  let carol: Client;
  let chat: Chat;

  beforeAll(async () => {
    [alice, bob, carol] = (await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => register(base, n)))) as [
      Client,
      Client,
      Client,
    ];
    chat = await groupOf(alice, [bob], 'Team');
  });

  it('delivers a message sent on one node to a member on the other, after it is committed', async () => {
    const a = await connect(base, alice.token);
    const b = await connectElsewhere(base, bob.token, a.nodeId);
    const arriving = next(b.socket, 'message:new', (m) => m.chatId === chat.id);
    const ack = await send(a.socket, chat.id, 'hello across nodes');
    expect(ack.ok).toBe(true);
    const delivered = await arriving;
    expect(delivered).toEqual((ack as { message: Message }).message);
    const history = await bob.api<{ messages: Message[] }>(`/api/chats/${chat.id}/messages?after=${delivered.seq - 1}`);
    // history holds the message; the live event adds the chat rev it produced
    const { rev, ...message } = delivered;
    expect(history.body.messages[0]).toEqual(message);
    expect(rev).toBeGreaterThan(chat.rev);
    a.socket.close();
    b.socket.close();
  });

  it('acks a repeated clientId with the original and does not broadcast it again', async () => {
    const a = await connect(base, alice.token);
    const b = await connectElsewhere(base, bob.token, a.nodeId);
    const seen = collect(b.socket, 'message:new');
    const clientId = randomUUID();
    // the same clientId from two sockets (two tabs on two nodes) at once, then once more
    const a2 = await connectElsewhere(base, alice.token, a.nodeId);
    const [one, two] = await Promise.all([
      send(a.socket, chat.id, 'once', clientId),
      send(a2.socket, chat.id, 'once', clientId),
    ]);
    a2.socket.close();
    const again = await send(a.socket, chat.id, 'once', clientId);
    expect(one.ok && two.ok && again.ok).toBe(true);
    const ids = new Set([one, two, again].map((r) => (r as { message: Message }).message.id));
    expect(ids.size).toBe(1);
    const marker = next(b.socket, 'message:new', (m) => m.body === 'marker');
    await send(a.socket, chat.id, 'marker');
    await marker;
    expect(seen.filter((m) => m.clientId === clientId)).toHaveLength(1);
    a.socket.close();
    b.socket.close();
  });

  it('gives back exactly what a client missed while offline, in order', async () => {
    const before = await bob.api<{ messages: Message[] }>(`/api/chats/${chat.id}/messages?limit=1`);
    const lastHeld = before.body.messages.at(-1)?.seq ?? 0;
    const a = await connect(base, alice.token);
    const sent: Message[] = [];
    for (const body of ['one', 'two', 'three']) {
      const { rev: _rev, ...message } = ((await send(a.socket, chat.id, body)) as { message: MessageWithRev }).message;
      sent.push(message);
    }
    const missed = await bob.api<{ messages: Message[] }>(`/api/chats/${chat.id}/messages?after=${lastHeld}`);
    expect(missed.body.messages).toEqual(sent);
    expect(missed.body.messages.map((m) => m.seq)).toEqual([lastHeld + 1, lastHeld + 2, lastHeld + 3]);
    a.socket.close();
  });

  it('refuses outsiders everywhere without revealing the chat', async () => {
    expect((await carol.api(`/api/chats/${chat.id}`)).status).toBe(404);
    expect((await carol.api(`/api/chats/${chat.id}/messages`)).status).toBe(404);
    expect((await carol.api(`/api/chats/${chat.id}/receipts`)).status).toBe(404);
    const c = await connect(base, carol.token);
    const ack = await send(c.socket, chat.id, 'let me in');
    expect(ack).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const read = await c.socket.emitWithAck('chat:read', { chatId: chat.id, seq: 1 });
    expect(read).toMatchObject({ ok: false, error: { code: 'not_found' } });
    c.socket.close();
  });

  it('brings a member added later into the chat live, and stops delivery at once when removed', async () => {
    const a = await connect(base, alice.token);
    const c = await connectElsewhere(base, carol.token, a.nodeId);
    const created = next(c.socket, 'chat:created', (x) => x.id === chat.id);
    expect(
      (await alice.api(`/api/chats/${chat.id}/members`, { method: 'POST', body: { userIds: [carol.user.id] } })).status,
    ).toBe(200);
    await created;
    const live = next(c.socket, 'message:new', (m) => m.chatId === chat.id);
    await send(a.socket, chat.id, 'welcome, Carol');
    expect((await live).body).toBe('welcome, Carol');

    const removed = next(c.socket, 'chat:removed', (x) => x.chatId === chat.id);
    expect((await alice.api(`/api/chats/${chat.id}/members/${carol.user.id}`, { method: 'DELETE' })).status).toBe(204);
    await removed;
    const seen = collect(c.socket, 'message:new');
    const b = await connect(base, bob.token);
    const marker = next(b.socket, 'message:new', (m) => m.body === 'after removal');
    await send(a.socket, chat.id, 'after removal');
    await marker;
    expect(seen).toHaveLength(0);
    for (const s of [a, b, c]) s.socket.close();
  });

  it('shows the author who read the message, live on another node, and settles unread counts', async () => {
    const a = await connect(base, alice.token);
    const b = await connectElsewhere(base, bob.token, a.nodeId);
    const sent = (await send(a.socket, chat.id, 'did you read this?')) as { message: Message };
    const receipt = next(a.socket, 'receipt', (r) => r.userId === bob.user.id && r.readSeq >= sent.message.seq);
    expect(await b.socket.emitWithAck('chat:read', { chatId: chat.id, seq: sent.message.seq })).toEqual({ ok: true });
    expect(await receipt).toEqual({ chatId: chat.id, userId: bob.user.id, readSeq: sent.message.seq });
    const receipts = await alice.api<{ receipts: { userId: string; readSeq: number }[] }>(
      `/api/chats/${chat.id}/receipts`,
    );
    expect(receipts.body.receipts).toContainEqual({ userId: bob.user.id, readSeq: sent.message.seq });
    const bobs = await bob.api<{ chats: Chat[] }>('/api/chats');
    expect(bobs.body.chats.find((x) => x.id === chat.id)).toMatchObject({ readSeq: sent.message.seq, unread: 0 });
    a.socket.close();
    b.socket.close();
  });

  it('shows the author their message was read when the reader opens the chat and replies at once, every time', async () => {
    const a = await connect(base, alice.token);
    const b = await connectElsewhere(base, bob.token, a.nodeId);
    const bobs = collect(a.socket, 'receipt');
    for (let round = 0; round < 5; round++) {
      const sent = (await send(a.socket, chat.id, `question ${round}`)) as { message: Message };
      // the read goes through the queue, the reply moves bob's cursor at once: whichever wins, alice learns it, from
      // a receipt or from the reply itself (a message says its sender has read up to it)
      const seen = Promise.race([
        next(a.socket, 'receipt', (r) => r.userId === bob.user.id && r.readSeq >= sent.message.seq),
        next(a.socket, 'message:new', (m) => m.senderId === bob.user.id && m.seq > sent.message.seq),
      ]);
      const [read, reply] = await Promise.all([
        b.socket.emitWithAck('chat:read', { chatId: chat.id, seq: sent.message.seq }),
        send(b.socket, chat.id, `answer ${round}`),
      ]);
      expect(read).toEqual({ ok: true });
      expect(reply.ok).toBe(true);
      await seen;
    }
    const fromBob = bobs.filter((r) => r.userId === bob.user.id && r.chatId === chat.id).map((r) => r.readSeq);
    expect(fromBob).toEqual([...fromBob].sort((x, y) => x - y));
    a.socket.close();
    b.socket.close();
  });

  it('works over long-polling, pinned to one node by the gateway', async () => {
    const a = await connect(base, alice.token, ['polling']);
    const got = next(a.socket, 'message:new', (m) => m.body === 'via polling');
    const b = await connect(base, bob.token);
    await send(b.socket, chat.id, 'via polling');
    expect((await got).body).toBe('via polling');
    a.socket.close();
    b.socket.close();
  });
});

describe('bad input and abuse on sockets', () => {
  let alice: Client;
  let bob: Client;
  let chat: Chat;

  beforeAll(async () => {
    [alice, bob] = (await Promise.all(['Ann', 'Ben'].map((n) => register(base, n)))) as [Client, Client];
    chat = await groupOf(alice, [bob], 'Inputs');
  });

  it('answers every malformed payload with bad_request and keeps serving', async () => {
    const { socket } = await connect(base, alice.token);
    const id = randomUUID();
    const cases: [string, unknown][] = [
      ['message:send', null],
      ['message:send', 'text'],
      ['message:send', { chatId: 'nope', clientId: 'c', body: 'x' }],
      ['message:send', { chatId: chat.id, clientId: 'c', body: '   ' }],
      ['message:send', { chatId: chat.id, clientId: 'c', body: 'x'.repeat(4001) }],
      ['message:send', { chatId: chat.id, body: 'no client id' }],
      ['message:edit', { chatId: chat.id, messageId: 'x', body: 'y' }],
      ['message:edit', { chatId: chat.id, messageId: id }],
      ['message:delete', { chatId: chat.id }],
      ['chat:read', { chatId: chat.id, seq: -1 }],
      ['chat:read', { chatId: chat.id, seq: 'one' }],
      ['typing', { chatId: chat.id, isTyping: 'yes' }],
      ['typing', []],
    ];
    for (const [event, payload] of cases) {
      const ack = await socket.timeout(5_000).emitWithAck(event as 'typing', payload as never);
      expect(ack, `${event} ${JSON.stringify(payload)?.slice(0, 60)}`).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
    }
    const fine = await send(socket, chat.id, 'still serving');
    expect(fine.ok).toBe(true);
    socket.close();
  });

  it('rate-limits a flooding socket with acks, and keeps it connected', async () => {
    const { socket } = await connect(base, alice.token);
    const acks = await Promise.all(
      Array.from({ length: 120 }, () => socket.emitWithAck('typing', { chatId: chat.id, isTyping: false })),
    );
    expect(acks.filter((a) => !a.ok && a.error.code === 'rate_limited').length).toBeGreaterThan(0);
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('shows typing to the other member on another node and never back to the typist', async () => {
    const a = await connect(base, alice.token);
    const b = await connectElsewhere(base, bob.token, a.nodeId);
    const echoed = collect(a.socket, 'typing');
    const seen = next(b.socket, 'typing', (t) => t.chatId === chat.id);
    expect(await a.socket.emitWithAck('typing', { chatId: chat.id, isTyping: true })).toEqual({ ok: true });
    expect(await seen).toEqual({ chatId: chat.id, userId: alice.user.id, isTyping: true });
    const marker = next(a.socket, 'typing', (t) => t.userId === bob.user.id);
    await b.socket.emitWithAck('typing', { chatId: chat.id, isTyping: true });
    await marker;
    expect(echoed.filter((t) => t.userId === alice.user.id)).toHaveLength(0);
    a.socket.close();
    b.socket.close();
  });
});

describe('presence', () => {
  it("tells a new socket every contact's presence in one event, and the others when it comes online", async () => {
    const [gil, hal, ida] = (await Promise.all(['Gil', 'Hal', 'Ida'].map((n) => register(base, n)))) as [
      Client,
      Client,
      Client,
    ];
    await groupOf(gil, [hal, ida]);
    const h = await connect(base, hal.token);
    const online = next(h.socket, 'presence', (p) => p.userId === gil.user.id && p.online);
    const g = io(base, { auth: { token: gil.token }, transports: ['websocket'], forceNew: true, reconnection: false });
    const snapshots = collect(g, 'presence:snapshot');
    const single = collect(g, 'presence');
    await next(g, 'presence:snapshot');
    await online;
    expect(snapshots).toHaveLength(1);
    expect(single).toEqual([]);
    const byUser = Object.fromEntries(snapshots[0]?.users.map((u) => [u.userId, u.online]) ?? []);
    expect(byUser).toEqual({ [hal.user.id]: true, [ida.user.id]: false });
    g.close();
    h.socket.close();
  });
});

describe('expiring access tokens', () => {
  it('ends a socket whose token expires, unless it refreshed it in place with a newer token of its session', async () => {
    const [ann, ben] = (await Promise.all(['Ann', 'Ben'].map((n) => register(base, n)))) as [Client, Client];
    const chat = await groupOf(ann, [ben]);
    const claims = JSON.parse(Buffer.from(ann.token.split('.')[1] as string, 'base64url').toString());
    // tokens that expire in 5 s; each socket's listeners go on right after it connects, before its token can lapse
    const shortLived = () =>
      jwt.sign({ name: claims.name, adm: claims.adm, sid: claims.sid }, devKeys.privateKey(), {
        algorithm: 'ES256',
        issuer: 'chat-auth',
        audience: 'chat',
        subject: ann.user.id,
        expiresIn: 5,
      });
    const refreshed = await connect(base, shortLived());
    const refresh = (payload: { token: string }) =>
      refreshed.socket.timeout(10_000).emitWithAck('auth:refresh', payload);
    expect(await refresh({ token: ann.token })).toEqual({ ok: true });
    const lapsing = await connect(base, shortLived());
    const ended = next(lapsing.socket, 'session:ended', () => true, 20_000);
    const gone = new Promise((resolve) => lapsing.socket.once('disconnect', resolve));
    // a token of another session, or no token, is refused and changes nothing
    expect(await refresh({ token: ben.token })).toMatchObject({ ok: false });
    expect(await refresh({} as { token: string })).toMatchObject({ ok: false });
    expect(await ended).toEqual({ reason: 'expired' });
    await gone;
    expect((await send(refreshed.socket, chat.id, 'still here')).ok).toBe(true);
    refreshed.socket.close();
  });

  it('refuses tokens that never expire, or whose user or session id is not one', async () => {
    const sign = (claims: object, options: jwt.SignOptions) =>
      jwt.sign(claims, devKeys.privateKey(), { algorithm: 'ES256', issuer: 'chat-auth', audience: 'chat', ...options });
    const forged = [
      sign({ name: 'x', sid: randomUUID() }, { subject: randomUUID() }),
      sign({ name: 'x', sid: randomUUID() }, { subject: 'admin', expiresIn: 60 }),
      sign({ name: 'x' }, { subject: randomUUID(), expiresIn: 60 }),
    ];
    for (const token of forged) {
      expect((await apiFor(base, token)('/api/chats')).status).toBe(401);
      expect((await apiFor(base, token)('/api/auth/me')).status).toBe(401);
      await expect(connect(base, token)).rejects.toThrow('unauthorized');
    }
  });
});

describe('faults', () => {
  it('announces a user offline when the node holding their socket dies without a goodbye', async () => {
    const dave = await register(base, 'Dave');
    const erin = await register(base, 'Erin');
    await dave.api('/api/chats/direct', { method: 'POST', body: { userId: erin.user.id } });
    const e = await connect(base, erin.token);
    const d = await connectElsewhere(base, dave.token, e.nodeId);
    const victim = d.nodeId;
    // the snapshot erin got on connecting (dave never seen: offline, no last-seen time) may still be arriving: wait
    // for the transition, which carries when dave was last seen
    const offline = next(
      e.socket,
      'presence',
      (p) => p.userId === dave.user.id && !p.online && p.lastSeenAt !== null,
      20_000,
    );
    await system.supervisor.kill(victim, 'SIGKILL');
    const seen = await offline;
    expect(seen.lastSeenAt).not.toBeNull();
    system.supervisor.revive(victim);
    expect(await system.ready()).toBe(true);
    e.socket.close();
  }, 60_000);
});
