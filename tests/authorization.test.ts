// Who may do what, through the gateway: every REST route and socket event of the contract, called by an anonymous
// client, a user outside the chat, a member, the chat's owner and an administrator who is not in it, each against
// fresh data, with the answer each must get.
import { randomUUID } from 'node:crypto';
import type { Chat, MessageWithRev } from '@chat/kit/contract';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFor, type ChatSocket, type Client, connect, login, register } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

const roles = ['anonymous', 'outsider', 'member', 'owner', 'admin'] as const;
type Role = (typeof roles)[number];
/** The expected answer of each role, in the order of `roles`. */
type Expected = [anonymous: number, outsider: number, member: number, owner: number, admin: number];

/** Fresh data for one call: a group of the owner with the member and a second member, and a message of the owner. */
type Fixture = { chat: Chat; message: MessageWithRev; caller: Client | undefined };

type Row = {
  name: string;
  method: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  expected: Expected;
};

const A = 401;
const GROUP = 'Matrix';
const emojiPath = encodeURIComponent('👍');

let system: RunningSystem;
let base: string;
const clients = {} as Record<Exclude<Role, 'anonymous'>, Client>;
let second: Client;
let peer: Client;

beforeAll(async () => {
  system = await startSystem({ SEND_LIMIT_PER_USER: '100000' });
  base = system.baseUrl;
  clients.outsider = await register(base, 'Outsider');
  clients.member = await register(base, 'Member');
  clients.owner = await register(base, 'Owner');
  clients.admin = await login(base, 'admin@mail.ru');
  second = await register(base, 'Second');
  peer = await register(base, 'Peer');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

async function fixture(role: Role): Promise<Fixture> {
  const owner = clients.owner;
  const created = await owner.api<Chat>('/api/chats/groups', {
    method: 'POST',
    body: { title: GROUP, memberIds: [clients.member.user.id, second.user.id] },
  });
  const sent = await owner.api<MessageWithRev>(`/api/chats/${created.body.id}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), body: 'hello matrix' },
  });
  if (created.status !== 201 || sent.status !== 201) throw new Error('fixture not made');
  return { chat: created.body, message: sent.body, caller: role === 'anonymous' ? undefined : clients[role] };
}

const chatPath = (f: Fixture) => `/api/chats/${f.chat.id}`;
const messagePath = (f: Fixture) => `${chatPath(f)}/messages/${f.message.id}`;

const rows: Row[] = [
  // auth
  {
    name: 'register',
    method: 'POST',
    path: () => '/api/auth/register',
    body: () => ({ email: `m-${randomUUID()}@example.test`, password: 'long enough', displayName: 'New' }),
    expected: [201, 201, 201, 201, 201],
  },
  {
    name: 'login',
    method: 'POST',
    path: () => '/api/auth/login',
    body: () => ({ email: 'first@mail.ru', password: 'qwerty123' }),
    expected: [200, 200, 200, 200, 200],
  },
  { name: 'who am I', method: 'GET', path: () => '/api/auth/me', expected: [A, 200, 200, 200, 200] },
  {
    name: 'edit my profile',
    method: 'PATCH',
    path: () => '/api/auth/me',
    body: () => ({}),
    expected: [A, 200, 200, 200, 200],
  },
  {
    name: 'change my password (wrong current one)',
    method: 'POST',
    path: () => '/api/auth/password',
    body: () => ({ currentPassword: 'not it at all', newPassword: 'another long one' }),
    expected: [A, 400, 400, 400, 400],
  },
  { name: 'search users', method: 'GET', path: () => '/api/users?query=ma', expected: [A, 200, 200, 200, 200] },
  { name: 'list all users', method: 'GET', path: () => '/api/admin/users', expected: [A, 403, 403, 403, 200] },
  {
    name: 'manage a user',
    method: 'PATCH',
    path: () => `/api/admin/users/${peer.user.id}`,
    body: () => ({}),
    expected: [A, 403, 403, 403, 200],
  },
  // chats
  { name: 'list my chats', method: 'GET', path: () => '/api/chats', expected: [A, 200, 200, 200, 200] },
  {
    name: 'start a group',
    method: 'POST',
    path: () => '/api/chats/groups',
    body: () => ({ title: 'Mine', memberIds: [peer.user.id] }),
    expected: [A, 201, 201, 201, 201],
  },
  {
    name: 'start a direct chat',
    method: 'POST',
    path: () => '/api/chats/direct',
    body: () => ({ userId: peer.user.id }),
    expected: [A, 201, 201, 201, 201],
  },
  { name: 'see a chat', method: 'GET', path: chatPath, expected: [A, 404, 200, 200, 404] },
  {
    name: 'see a chat that does not exist',
    method: 'GET',
    path: () => `/api/chats/${randomUUID()}`,
    expected: [A, 404, 404, 404, 404],
  },
  {
    name: 'rename a group',
    method: 'PATCH',
    path: chatPath,
    body: () => ({ title: 'Renamed' }),
    expected: [A, 404, 403, 200, 404],
  },
  {
    name: 'add members',
    method: 'POST',
    path: (f) => `${chatPath(f)}/members`,
    body: () => ({ userIds: [peer.user.id] }),
    expected: [A, 404, 403, 200, 404],
  },
  {
    name: 'remove another member',
    method: 'DELETE',
    path: (f) => `${chatPath(f)}/members/${second.user.id}`,
    expected: [A, 404, 403, 204, 404],
  },
  {
    name: 'leave',
    method: 'DELETE',
    path: (f) => `${chatPath(f)}/members/${f.caller?.user.id ?? randomUUID()}`,
    expected: [A, 404, 204, 204, 404],
  },
  { name: 'read history', method: 'GET', path: (f) => `${chatPath(f)}/messages`, expected: [A, 404, 200, 200, 404] },
  {
    name: 'read history around a message',
    method: 'GET',
    path: (f) => `${chatPath(f)}/messages?around=1&limit=10`,
    expected: [A, 404, 200, 200, 404],
  },
  {
    name: 'send',
    method: 'POST',
    path: (f) => `${chatPath(f)}/messages`,
    body: () => ({ clientId: randomUUID(), body: 'from the matrix' }),
    expected: [A, 404, 201, 201, 404],
  },
  {
    name: "edit the owner's message",
    method: 'PATCH',
    path: messagePath,
    body: () => ({ body: 'edited' }),
    expected: [A, 404, 403, 200, 404],
  },
  { name: "delete the owner's message", method: 'DELETE', path: messagePath, expected: [A, 404, 403, 200, 404] },
  {
    name: 'react',
    method: 'PUT',
    path: (f) => `${messagePath(f)}/reactions/${emojiPath}`,
    expected: [A, 404, 200, 200, 404],
  },
  {
    name: 'take a reaction back',
    method: 'DELETE',
    path: (f) => `${messagePath(f)}/reactions/${emojiPath}`,
    expected: [A, 404, 200, 200, 404],
  },
  {
    name: 'pin in a group',
    method: 'PUT',
    path: (f) => `${chatPath(f)}/pins/${f.message.id}`,
    expected: [A, 404, 403, 200, 404],
  },
  {
    name: 'unpin in a group',
    method: 'DELETE',
    path: (f) => `${chatPath(f)}/pins/${f.message.id}`,
    expected: [A, 404, 403, 200, 404],
  },
  {
    name: 'mark read',
    method: 'POST',
    path: (f) => `${chatPath(f)}/read`,
    body: (f) => ({ seq: f.message.seq }),
    expected: [A, 404, 202, 202, 404],
  },
  { name: 'mark unread', method: 'POST', path: (f) => `${chatPath(f)}/unread`, expected: [A, 404, 204, 204, 404] },
  {
    name: 'set notifications',
    method: 'PUT',
    path: (f) => `${chatPath(f)}/notify`,
    body: () => ({ notify: 'all' }),
    expected: [A, 404, 200, 200, 404],
  },
  { name: 'see receipts', method: 'GET', path: (f) => `${chatPath(f)}/receipts`, expected: [A, 404, 200, 200, 404] },
  {
    name: 'fetch changes',
    method: 'GET',
    path: (f) => `${chatPath(f)}/changes?after=0`,
    expected: [A, 404, 200, 200, 404],
  },
  {
    name: 'sync',
    method: 'POST',
    path: () => '/api/sync',
    body: (f) => ({ chats: { [f.chat.id]: 0 } }),
    expected: [A, 200, 200, 200, 200],
  },
  {
    name: 'search messages in a chat',
    method: 'GET',
    path: (f) => `/api/search?q=hello&chatId=${f.chat.id}`,
    expected: [A, 404, 200, 200, 404],
  },
  // push
  { name: 'push key', method: 'GET', path: () => '/api/push/key', expected: [A, 200, 200, 200, 200] },
  {
    name: 'subscribe to pushes',
    method: 'POST',
    path: () => '/api/push/subscriptions',
    body: () => ({
      endpoint: `https://push.example.test/${randomUUID()}`,
      keys: {
        p256dh: 'BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        auth: 'AAAAAAAAAAAAAAAAAAAAAA',
      },
    }),
    expected: [A, 201, 201, 201, 201],
  },
  {
    name: 'unsubscribe from pushes',
    method: 'DELETE',
    path: () => '/api/push/subscriptions',
    body: () => ({ endpoint: `https://push.example.test/${randomUUID()}` }),
    expected: [A, 204, 204, 204, 204],
  },
];

describe('REST: who may call what', () => {
  it.each(rows)('$method $name', async (row) => {
    const seen: Record<string, number> = {};
    for (const role of roles) {
      const f = await fixture(role);
      const api = apiFor(base, f.caller?.token);
      const { status } = await api(row.path(f), { method: row.method, body: row.body?.(f) });
      seen[role] = status;
    }
    expect(seen).toEqual(Object.fromEntries(roles.map((role, i) => [role, row.expected[i]])));
  });

  it('keeps refresh and logout to the refresh cookie: without one, refresh is refused and logout ends nothing', async () => {
    const anonymous = apiFor(base);
    expect((await anonymous('/api/auth/refresh', { method: 'POST' })).status).toBe(401);
    expect((await anonymous('/api/auth/logout', { method: 'POST' })).status).toBe(204);
  });

  it('never finds messages of chats the caller is not in', async () => {
    const f = await fixture('outsider');
    for (const role of ['outsider', 'admin', 'member'] as const) {
      const { status, body } = await clients[role].api<{ results: { chatId: string }[] }>('/api/search?q=matrix');
      expect(status).toBe(200);
      const found = body.results.some((r) => r.chatId === f.chat.id);
      expect(found, role).toBe(role === 'member');
    }
  });
});

type Ack = { ok: true } | { ok: false; error: { code: string } };
type EventRow = {
  event:
    | 'message:send'
    | 'message:edit'
    | 'message:delete'
    | 'reaction:add'
    | 'reaction:remove'
    | 'chat:read'
    | 'typing';
  payload: (f: { chatId: string; messageId: string }) => Record<string, unknown>;
  /** ok, or the error code: outsider, member, owner, admin. */
  expected: [string, string, string, string];
};

const eventRows: EventRow[] = [
  {
    event: 'message:send',
    payload: ({ chatId }) => ({ chatId, clientId: randomUUID(), body: 'over a socket' }),
    expected: ['not_found', 'ok', 'ok', 'not_found'],
  },
  {
    event: 'message:edit',
    payload: ({ chatId, messageId }) => ({ chatId, messageId, body: 'edited over a socket' }),
    expected: ['not_found', 'forbidden', 'ok', 'not_found'],
  },
  {
    event: 'message:delete',
    payload: ({ chatId, messageId }) => ({ chatId, messageId }),
    expected: ['not_found', 'forbidden', 'ok', 'not_found'],
  },
  {
    event: 'reaction:add',
    payload: ({ chatId, messageId }) => ({ chatId, messageId, emoji: '🎉' }),
    expected: ['not_found', 'ok', 'ok', 'not_found'],
  },
  {
    event: 'reaction:remove',
    payload: ({ chatId, messageId }) => ({ chatId, messageId, emoji: '🎉' }),
    expected: ['not_found', 'ok', 'ok', 'not_found'],
  },
  {
    event: 'chat:read',
    payload: ({ chatId }) => ({ chatId, seq: 1 }),
    expected: ['not_found', 'ok', 'ok', 'not_found'],
  },
  {
    event: 'typing',
    payload: ({ chatId }) => ({ chatId, isTyping: true }),
    expected: ['not_found', 'ok', 'ok', 'not_found'],
  },
];

describe('sockets: who may send what', () => {
  const socketRoles = ['outsider', 'member', 'owner', 'admin'] as const;
  const sockets = {} as Record<(typeof socketRoles)[number], ChatSocket>;
  let chatId: string;

  beforeAll(async () => {
    // the chat exists before the sockets connect: they are in its room from the start
    chatId = (await fixture('owner')).chat.id;
    for (const role of socketRoles) sockets[role] = (await connect(base, clients[role].token)).socket;
  });

  afterAll(() => {
    for (const socket of Object.values(sockets)) socket.close();
  });

  it('refuses an anonymous socket with connect_error "unauthorized"', async () => {
    const anonymous = io(base, { transports: ['websocket'], reconnection: false, forceNew: true });
    const err = await new Promise<Error>((resolve) => anonymous.once('connect_error', resolve));
    expect(err.message).toBe('unauthorized');
    anonymous.close();
  });

  it.each(eventRows)('$event', async (row) => {
    const seen: Record<string, string> = {};
    for (const role of socketRoles) {
      const sent = await clients.owner.api<MessageWithRev>(`/api/chats/${chatId}/messages`, {
        method: 'POST',
        body: { clientId: randomUUID(), body: 'for a socket' },
      });
      const ack = (await sockets[role]
        .timeout(10_000)
        .emitWithAck(row.event, row.payload({ chatId, messageId: sent.body.id }) as never)) as Ack;
      seen[role] = ack.ok ? 'ok' : ack.error.code;
    }
    expect(seen).toEqual(Object.fromEntries(socketRoles.map((role, i) => [role, row.expected[i]])));
  });
});
