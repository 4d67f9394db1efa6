// What the system refuses, through the gateway: internal ports and endpoints, password guessing, what user search
// shows, input that cannot be stored or shown, and floods of sockets and messages.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Chat, MessageWithRev, User } from '@chat/kit/contract';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayAfter } from '../services/auth/src/domain/rateLimits.ts';
import { apiFor, type Client, connect, groupOf, login, register, send } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;
let base: string;

const LOGIN_LIMIT_PER_IP = 60;
const SEND_LIMIT = 6;

beforeAll(async () => {
  system = await startSystem({
    LOGIN_LIMIT_PER_IP: String(LOGIN_LIMIT_PER_IP),
    LOGIN_LIMIT_PER_EMAIL: '20',
    LOGIN_FREE_FAILURES: '5',
    SEND_LIMIT_PER_USER: String(SEND_LIMIT),
    SEND_LIMIT_WINDOW_SECONDS: '120',
  });
  base = system.baseUrl;
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

/** A GET with the path sent exactly as written (fetch would resolve `..` first): its status and body. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** Whether anything accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('internal ports and endpoints', () => {
  it.skipIf(!outsideAddress)('listens on loopback only by default', async () => {
    const ports = [0, 1, 2, 3, 4].map((o) => system.plan.portsFrom + o).concat(system.plan.gatewayPort);
    for (const port of ports) {
      expect(await accepts('127.0.0.1', port), `127.0.0.1:${port}`).toBe(true);
      expect(await accepts(outsideAddress as string, port), `${outsideAddress}:${port}`).toBe(false);
    }
  });

  it('keeps readiness and metrics off the gateway, however the path is written', async () => {
    const port = system.plan.gatewayPort;
    for (const path of [
      '/metrics',
      '/readyz',
      '/api/auth/../../metrics',
      '/api/chats/../../readyz',
      '/socket.io/../metrics',
      '/api/auth/%2e%2e/%2e%2e/metrics',
    ]) {
      // whatever answers (no such route, or the web app's page), it is neither metrics nor readiness
      const { status, body } = await rawGet(port, path);
      expect(status, path).not.toBe(500);
      expect(body, path).not.toMatch(/# HELP|# TYPE|"checks"|"status":"ready"/);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // each service still answers them on its own port
    expect((await fetch(`http://127.0.0.1:${system.plan.portsFrom}/metrics`)).status).toBe(200);
  });

  it('answers a missing app asset with 404, not 500', async () => {
    for (const path of ['/_app/immutable/chunks/missing.js', '/_app/missing.js', '/_app/version.json.nope']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('password guessing', () => {
  const attempt = (email: string, password = 'wrong password', headers: Record<string, string> = {}) =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ email, password }),
    });

  it('lets only the allowed failures through when wrong logins arrive at once', async () => {
    const target = await register(base, 'Burst');
    const answers = await Promise.all(Array.from({ length: 30 }, () => attempt(target.user.email)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('makes each failure past the free ones wait longer, and lets the owner in once the wait is over', async () => {
    const pace = { freeFailures: 5, firstDelayMs: 1_000, longestDelayMs: 30_000, forgetAfterMs: 900_000 };
    expect([5, 6, 7, 8, 12].map((n) => delayAfter(n, pace))).toEqual([1_000, 2_000, 4_000, 8_000, 30_000]);
    expect(delayAfter(4, pace)).toBe(0);

    const target = await register(base, 'Paced');
    for (let i = 0; i < 5; i++) expect((await attempt(target.user.email)).status).toBe(401);
    const waiting = await attempt(target.user.email, 'correct horse battery');
    expect(waiting.status).toBe(429);
    expect(await waiting.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    const seconds = Number(waiting.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(2);
    // a wait, not a lock-out: the owner's password works once it is over (and ends the wait)
    await new Promise((r) => setTimeout(r, seconds * 1000));
    expect((await attempt(target.user.email, 'correct horse battery')).status).toBe(200);
    expect((await attempt(target.user.email)).status).toBe(401);
  });
});

describe('user search', () => {
  it('shows other users by id and name only, from two characters; the admin API keeps the full view', async () => {
    const searcher = await register(base, 'Searcher');
    const target = await register(base, `Findable ${randomUUID().slice(0, 6)}`);
    const found = await searcher.api<{ users: Record<string, unknown>[] }>(
      `/api/users?query=${encodeURIComponent(target.user.displayName.slice(0, 12))}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.users).toEqual([{ id: target.user.id, displayName: target.user.displayName }]);
    const byEmail = await searcher.api<{ users: unknown[] }>(`/api/users?query=${target.user.email}`);
    expect(byEmail.body.users).toEqual([{ id: target.user.id, displayName: target.user.displayName }]);
    expect((await searcher.api<{ users: unknown[] }>(`/api/users?query=findable-`)).body.users).toEqual([]);

    for (const query of ['', 'f', ' f ']) {
      const res = await fetch(`${base}/api/users?query=${encodeURIComponent(query)}`, {
        headers: { authorization: `Bearer ${searcher.token}` },
      });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const admin = await login(base, 'admin@mail.ru');
    const all = await admin.api<{ users: User[] }>('/api/admin/users');
    expect(all.body.users.find((u) => u.id === target.user.id)).toMatchObject({
      email: target.user.email,
      isAdmin: false,
      isActive: true,
    });
  });
});

describe('input that cannot be stored or shown', () => {
  let alice: Client;
  let chat: Chat;

  beforeAll(async () => {
    alice = await register(base, 'Alice');
    chat = await groupOf(alice, [await register(base, 'Bob')], 'Input');
  });

  it('answers a NUL character anywhere in a request with 400', async () => {
    const anonymous = apiFor(base);
    const cases: [string, Promise<{ status: number; body: unknown }>][] = [
      [
        'register name',
        anonymous('/api/auth/register', {
          method: 'POST',
          body: { email: `nul-${randomUUID()}@example.test`, password: 'long enough', displayName: 'A\u0000B' },
        }),
      ],
      [
        'register e-mail',
        anonymous('/api/auth/register', {
          method: 'POST',
          body: { email: `n\u0000ul@example.test`, password: 'long enough', displayName: 'AB' },
        }),
      ],
      ['login', anonymous('/api/auth/login', { method: 'POST', body: { email: 'a@b.c', password: 'x\u0000' } })],
      ['profile', alice.api('/api/auth/me', { method: 'PATCH', body: { displayName: '\u0000' } })],
      ['group', alice.api('/api/chats/groups', { method: 'POST', body: { title: 'T\u0000', memberIds: [] } })],
      ['rename', alice.api(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'x\u0000y' } })],
      [
        'body',
        alice.api(`/api/chats/${chat.id}/messages`, {
          method: 'POST',
          body: { clientId: randomUUID(), body: 'hello\u0000' },
        }),
      ],
      [
        'clientId',
        alice.api(`/api/chats/${chat.id}/messages`, {
          method: 'POST',
          body: { clientId: `c\u0000${randomUUID()}`, body: 'hello' },
        }),
      ],
      ['search', alice.api(`/api/search?q=${encodeURIComponent('hi\u0000')}`)],
      ['user search', alice.api(`/api/users?query=${encodeURIComponent('ab\u0000')}`)],
      ['history', alice.api(`/api/chats/${chat.id}/messages?limit=1%00`)],
      ['key', alice.api('/api/sync', { method: 'POST', body: { chats: { 'a\u0000': 1 } } })],
    ];
    for (const [name, answer] of cases) {
      const { status, body } = await answer;
      expect(status, name).toBe(400);
      expect(body, name).toMatchObject({ code: 'bad_request' });
    }
  });

  it('answers a NUL character in a socket event with a bad_request ack and keeps the socket', async () => {
    const { socket } = await connect(base, alice.token);
    const acks = [
      await socket.emitWithAck('message:send', { chatId: chat.id, clientId: randomUUID(), body: 'a\u0000' }),
      await socket.emitWithAck('message:send', { chatId: chat.id, clientId: '\u0000', body: 'a' }),
      await socket.emitWithAck('typing', { chatId: `${chat.id}\u0000`, isTyping: true }),
      await socket.emitWithAck('reaction:add', { chatId: chat.id, messageId: randomUUID(), emoji: '\u0000' }),
    ];
    for (const ack of acks) expect(ack).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('refuses bodies and names made only of invisible characters, and drops bidi controls from names', async () => {
    const invisible = ['\u200b\u200b', '\u202e\u2066\u2069', '\u2060\ufeff', '\u3164', '\u200d \u200c'];
    for (const text of invisible) {
      const sent = await alice.api(`/api/chats/${chat.id}/messages`, {
        method: 'POST',
        body: { clientId: randomUUID(), body: text },
      });
      expect(sent.status, JSON.stringify(text)).toBe(400);
      const named = await alice.api('/api/auth/me', { method: 'PATCH', body: { displayName: text } });
      expect(named.status, JSON.stringify(text)).toBe(400);
      const titled = await alice.api('/api/chats/groups', { method: 'POST', body: { title: text } });
      expect(titled.status, JSON.stringify(text)).toBe(400);
    }
    const { socket } = await connect(base, alice.token);
    const ack = await send(socket, chat.id, '\u200b\u202e');
    expect(ack).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    socket.close();

    const renamed = await register(base, 'Spoof');
    const named = await renamed.api<User>('/api/auth/me', {
      method: 'PATCH',
      body: { displayName: 'Eve\u202Egnp.exe\u202C\u2066' },
    });
    expect(named.status).toBe(200);
    expect(named.body.displayName).toBe('Evegnp.exe');
    const signedUp = await apiFor(base)<{ user: User }>('/api/auth/register', {
      method: 'POST',
      body: { email: `bidi-${randomUUID()}@example.test`, password: 'long enough', displayName: '\u202eMallory' },
    });
    expect(signedUp.body.user.displayName).toBe('Mallory');
  });

  it('takes the largest legal message over a socket without dropping it', async () => {
    const { socket } = await connect(base, alice.token);
    // every control character is six bytes once JSON escapes it
    const body = `a${'\u0001'.repeat(3_999)}`;
    const ack = await send(socket, chat.id, body, 'x'.repeat(100));
    expect(ack.ok).toBe(true);
    expect((ack as { message: MessageWithRev }).message.body).toBe(body);
    expect(socket.connected).toBe(true);
    socket.close();
  });
});

describe('floods', () => {
  it('caps the sockets of one user across nodes and refuses the next with a clear connect error', async () => {
    const user = await register(base, 'Sockets');
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(base, user.token)));
    expect(new Set(sockets.map((s) => s.nodeId)).size).toBe(2);
    const extra = io(base, {
      auth: { token: user.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const refused = await new Promise<Error & { data?: unknown }>((resolve, reject) => {
      extra.once('connect_error', resolve);
      extra.once('connect', () => reject(new Error('the 21st socket connected')));
    });
    expect(refused.message).toBe('too_many_connections');
    expect(refused.data).toMatchObject({ code: 'rate_limited' });
    extra.close();
    // another user is not affected
    const other = await register(base, 'Other');
    const fine = await connect(base, other.token);
    fine.socket.close();
    for (const { socket } of sockets) socket.close();
  });

  it('limits the sends of one user, over REST and sockets together', async () => {
    const sender = await register(base, 'Flooder');
    const chat = await groupOf(sender, [], 'Flood');
    const a = await connect(base, sender.token);
    const b = await connect(base, sender.token);
    const rest = (body: string) =>
      sender.api(`/api/chats/${chat.id}/messages`, { method: 'POST', body: { clientId: randomUUID(), body } });
    // half of the allowance over REST, the rest over two sockets
    for (let i = 0; i < SEND_LIMIT / 2; i++) expect((await rest(`rest ${i}`)).status).toBe(201);
    for (let i = 0; i < SEND_LIMIT / 2; i++) {
      expect((await send(i % 2 ? a.socket : b.socket, chat.id, `socket ${i}`)).ok).toBe(true);
    }
    const refusedRest = await rest('one too many');
    expect(refusedRest.status).toBe(429);
    expect(refusedRest.body).toMatchObject({ code: 'rate_limited' });
    for (const { socket } of [a, b]) {
      const ack = await send(socket, chat.id, 'one too many');
      expect(ack).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect((ack as { error: { retryAfterMs?: number } }).error.retryAfterMs).toBeGreaterThan(0);
    }
    // the limit is the user's, not the chat's or the node's
    const other = await register(base, 'Calm');
    const otherChat = await groupOf(other, [], 'Calm');
    expect(
      (await other.api(`/api/chats/${otherChat.id}/messages`, { method: 'POST', body: { clientId: 'c1', body: 'hi' } }))
        .status,
    ).toBe(201);
    a.socket.close();
    b.socket.close();
  });
});

// last: it uses up this address's login allowance for the window
describe('the client address', () => {
  it('is the one the gateway saw, whatever X-Forwarded-For a client sends', async () => {
    const answers = await Promise.all(
      Array.from({ length: LOGIN_LIMIT_PER_IP + 10 }, (_, i) =>
        fetch(`${base}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i % 250}` },
          body: JSON.stringify({ email: `spoof-${i}@example.test`, password: 'wrong password' }),
        }).then((r) => r.status),
      ),
    );
    expect(answers.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
  });
});
