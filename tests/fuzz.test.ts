// Hostile input against every request schema and socket event of the contract, through the gateway: whatever arrives,
// the answer is a 4xx problem (a 400 when the contract's schema refuses it) or a success, never a 5xx, and a socket
// answers with an ack and stays connected.
import { randomUUID } from 'node:crypto';
import {
  addMembersRequest,
  adminUpdateUserRequest,
  type Chat,
  changePasswordRequest,
  changesQuery,
  createDirectChatRequest,
  createGroupChatRequest,
  deleteMessageEvent,
  editMessageEvent,
  editMessageRequest,
  historyQuery,
  loginRequest,
  type MessageWithRev,
  notifyRequest,
  pushSubscriptionRequest,
  pushUnsubscribeRequest,
  reactionEvent,
  readEvent,
  readRequest,
  registerRequest,
  searchQuery,
  sendMessageEvent,
  sendMessageRequest,
  syncRequest,
  typingEvent,
  updateChatRequest,
  updateProfileRequest,
  userSearchQuery,
} from '@chat/kit/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type ChatSocket, type Client, connect, login, register } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

let system: RunningSystem;
let base: string;
let user: Client;
let admin: Client;
let other: Client;
let chat: Chat;
let message: MessageWithRev;

beforeAll(async () => {
  system = await startSystem({ SEND_LIMIT_PER_USER: '100000', SOCKET_RATE_BURST: '100000' });
  base = system.baseUrl;
  user = await register(base, 'Fuzzer');
  other = await register(base, 'Target');
  admin = await login(base, 'admin@mail.ru');
  chat = (
    await user.api<Chat>('/api/chats/groups', { method: 'POST', body: { title: 'Fuzz', memberIds: [other.user.id] } })
  ).body;
  message = (
    await user.api<MessageWithRev>(`/api/chats/${chat.id}/messages`, {
      method: 'POST',
      body: { clientId: randomUUID(), body: 'the original' },
    })
  ).body;
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

/** Strings that have broken services before: NUL, controls, invisible and bidi characters, lone surrogates, huge ones. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u202e\u2066',
    '\u200b\u200d\ufeff',
    '\ud800',
    '\udfff x',
    '%00',
    '\\u0000',
    '../../etc/passwd',
    "'; drop table users; --",
    '<script>alert(1)</script>',
    'x'.repeat(5_000),
    '\u0001'.repeat(4_000),
    '00000000-0000-0000-0000-000000000000',
  ),
);

/** Any JSON value, weighted towards the shapes that get near a schema. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, -1, 0, 2 ** 53, -(2 ** 31), 1e308),
  fc.uuid(),
  fc.array(nastyString, { maxLength: 5 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A valid input with one field replaced, removed or added; or any value at all. */
function around(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  const field = fc.constantFrom(...keys, '__proto__', 'constructor', 'extra');
  return fc.oneof(
    fc.tuple(field, nastyValue).map(([key, value]) => ({ ...valid, [key]: value })),
    field.map((key) => {
      const { [key]: _dropped, ...rest } = valid;
      return rest;
    }),
    fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(fc.constant(valid[k]), nastyValue)]))),
    nastyValue,
  );
}

/** Query parameters: a valid set with values replaced by any strings. */
function aroundQuery(valid: Record<string, string>): fc.Arbitrary<Record<string, string>> {
  const keys = [...Object.keys(valid), 'extra'];
  return fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(fc.constant(valid[k] ?? ''), nastyString)])), {
    requiredKeys: [],
  }) as fc.Arbitrary<Record<string, string>>;
}

const refuses = (schema: z.ZodType, input: unknown) => !schema.safeParse(input).success;

type BodyTarget = {
  name: string;
  method: string;
  path: () => string;
  as: () => Client | undefined;
  schema: z.ZodType;
  valid: () => Record<string, unknown>;
};

const bodyTargets: BodyTarget[] = [
  {
    name: 'register',
    method: 'POST',
    path: () => '/api/auth/register',
    as: () => undefined,
    schema: registerRequest,
    valid: () => ({ email: `f-${randomUUID()}@example.test`, password: 'long enough', displayName: 'Fuzzed' }),
  },
  {
    name: 'login',
    method: 'POST',
    path: () => '/api/auth/login',
    as: () => undefined,
    schema: loginRequest,
    valid: () => ({ email: `f-${randomUUID()}@example.test`, password: 'wrong password' }),
  },
  {
    name: 'profile',
    method: 'PATCH',
    path: () => '/api/auth/me',
    as: () => user,
    schema: updateProfileRequest,
    valid: () => ({ displayName: 'Fuzzer' }),
  },
  {
    name: 'password',
    method: 'POST',
    path: () => '/api/auth/password',
    as: () => user,
    schema: changePasswordRequest,
    valid: () => ({ currentPassword: 'not the password', newPassword: 'long enough' }),
  },
  {
    name: 'admin: manage a user',
    method: 'PATCH',
    path: () => `/api/admin/users/${other.user.id}`,
    as: () => admin,
    schema: adminUpdateUserRequest,
    valid: () => ({ isActive: true, isAdmin: false }),
  },
  {
    name: 'direct chat',
    method: 'POST',
    path: () => '/api/chats/direct',
    as: () => user,
    schema: createDirectChatRequest,
    valid: () => ({ userId: other.user.id }),
  },
  {
    name: 'group',
    method: 'POST',
    path: () => '/api/chats/groups',
    as: () => user,
    schema: createGroupChatRequest,
    valid: () => ({ title: 'Fuzzed group', memberIds: [other.user.id] }),
  },
  {
    name: 'rename',
    method: 'PATCH',
    path: () => `/api/chats/${chat.id}`,
    as: () => user,
    schema: updateChatRequest,
    valid: () => ({ title: 'Fuzz' }),
  },
  {
    name: 'add members',
    method: 'POST',
    path: () => `/api/chats/${chat.id}/members`,
    as: () => user,
    schema: addMembersRequest,
    valid: () => ({ userIds: [other.user.id] }),
  },
  {
    name: 'send',
    method: 'POST',
    path: () => `/api/chats/${chat.id}/messages`,
    as: () => user,
    schema: sendMessageRequest,
    valid: () => ({ clientId: randomUUID(), body: 'fuzzed', replyTo: message.id }),
  },
  {
    name: 'edit',
    method: 'PATCH',
    path: () => `/api/chats/${chat.id}/messages/${message.id}`,
    as: () => user,
    schema: editMessageRequest,
    valid: () => ({ body: 'edited' }),
  },
  {
    name: 'read',
    method: 'POST',
    path: () => `/api/chats/${chat.id}/read`,
    as: () => user,
    schema: readRequest,
    valid: () => ({ seq: 1 }),
  },
  {
    name: 'notify',
    method: 'PUT',
    path: () => `/api/chats/${chat.id}/notify`,
    as: () => user,
    schema: notifyRequest,
    valid: () => ({ notify: 'mentions' }),
  },
  {
    name: 'sync',
    method: 'POST',
    path: () => '/api/sync',
    as: () => user,
    schema: syncRequest,
    valid: () => ({ chats: { [chat.id]: 0 } }),
  },
  {
    name: 'push subscribe',
    method: 'POST',
    path: () => '/api/push/subscriptions',
    as: () => user,
    schema: pushSubscriptionRequest,
    valid: () => ({ endpoint: 'https://push.example.test/x', keys: { p256dh: 'key', auth: 'auth' } }),
  },
  {
    name: 'push unsubscribe',
    method: 'DELETE',
    path: () => '/api/push/subscriptions',
    as: () => user,
    schema: pushUnsubscribeRequest,
    valid: () => ({ endpoint: 'https://push.example.test/x' }),
  },
];

type QueryTarget = { name: string; path: () => string; schema: z.ZodType; valid: () => Record<string, string> };

const queryTargets: QueryTarget[] = [
  {
    name: 'user search',
    path: () => '/api/users',
    schema: userSearchQuery,
    valid: () => ({ query: 'fu', limit: '5' }),
  },
  {
    name: 'history',
    path: () => `/api/chats/${chat.id}/messages`,
    schema: historyQuery,
    valid: () => ({ after: '0', limit: '10' }),
  },
  {
    name: 'changes',
    path: () => `/api/chats/${chat.id}/changes`,
    schema: changesQuery,
    valid: () => ({ after: '0', limit: '10' }),
  },
  { name: 'search', path: () => '/api/search', schema: searchQuery, valid: () => ({ q: 'fuzz', chatId: chat.id }) },
];

async function call(client: Client | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(client ? { authorization: `Bearer ${client.token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

describe('REST bodies', () => {
  it.each(bodyTargets)('$method $name: 4xx for what the schema refuses, never 5xx', async (target) => {
    await fc.assert(
      fc.asyncProperty(around(target.valid()), async (input) => {
        const { status, text } = await call(target.as(), target.method, target.path(), input);
        expect(status, text).toBeLessThan(500);
        if (refuses(target.schema, input)) expect([400, 429], text).toContain(status);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers bodies that are not JSON objects, or not JSON at all, with 400', async () => {
    for (const raw of ['', 'null', '[]', '"x"', '{', '{"body":', '\u0000', '{"a":1}'.repeat(2)]) {
      const res = await fetch(`${base}/api/chats/${chat.id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: raw,
      });
      expect(res.status, JSON.stringify(raw)).toBe(400);
    }
  });
});

describe('REST queries and path parameters', () => {
  it.each(queryTargets)('GET $name: 4xx for what the schema refuses, never 5xx', async (target) => {
    await fc.assert(
      fc.asyncProperty(aroundQuery(target.valid()), async (query) => {
        const { status, text } = await call(user, 'GET', `${target.path()}?${new URLSearchParams(query)}`);
        expect(status, text).toBeLessThan(500);
        // 431: a query too long for the request line is refused before any service sees it
        if (refuses(target.schema, query)) expect([400, 431], text).toContain(status);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers any chat id, message id or emoji in a path with 4xx or success, never 5xx', async () => {
    // a lone surrogate has no UTF-8: sent as the bytes of one, and some broken escapes as they are
    const encode = (s: string) => {
      try {
        return encodeURIComponent(s);
      } catch {
        return '%ED%A0%80';
      }
    };
    // segments as they go into the URL
    const segment = fc.oneof(
      fc.constant(chat.id),
      fc.constant(message.id),
      fc.uuid(),
      nastyString.map(encode),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%80', '%00'),
    );
    const paths = fc.oneof(
      segment.map((id) => ['GET', `/api/chats/${id}`]),
      fc.tuple(segment, segment).map(([id, m]) => ['DELETE', `/api/chats/${id}/pins/${m}`]),
      fc.tuple(segment, segment).map(([id, u]) => ['DELETE', `/api/chats/${id}/members/${u}`]),
      fc
        .tuple(segment, fc.oneof(segment, fc.constantFrom('👍', '🏳️‍🌈', '1️⃣', '👍🏽👍').map(encode)))
        .map(([id, e]) => ['PUT', `/api/chats/${chat.id}/messages/${id}/reactions/${e}`]),
    );
    await fc.assert(
      fc.asyncProperty(paths, async ([method, path]) => {
        const { status, text } = await call(user, method as string, path as string);
        expect(status, `${method} ${path}: ${text}`).toBeGreaterThanOrEqual(200);
        expect(status, `${method} ${path}: ${text}`).toBeLessThan(500);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

type EventTarget = {
  event:
    | 'message:send'
    | 'message:edit'
    | 'message:delete'
    | 'reaction:add'
    | 'reaction:remove'
    | 'chat:read'
    | 'typing';
  schema: z.ZodType;
  valid: () => Record<string, unknown>;
};

const eventTargets: EventTarget[] = [
  {
    event: 'message:send',
    schema: sendMessageEvent,
    valid: () => ({ chatId: chat.id, clientId: randomUUID(), body: 'fuzzed' }),
  },
  {
    event: 'message:edit',
    schema: editMessageEvent,
    valid: () => ({ chatId: chat.id, messageId: message.id, body: 'edited' }),
  },
  { event: 'message:delete', schema: deleteMessageEvent, valid: () => ({ chatId: chat.id, messageId: randomUUID() }) },
  {
    event: 'reaction:add',
    schema: reactionEvent,
    valid: () => ({ chatId: chat.id, messageId: message.id, emoji: '👍' }),
  },
  {
    event: 'reaction:remove',
    schema: reactionEvent,
    valid: () => ({ chatId: chat.id, messageId: message.id, emoji: '👍' }),
  },
  { event: 'chat:read', schema: readEvent, valid: () => ({ chatId: chat.id, seq: 1 }) },
  { event: 'typing', schema: typingEvent, valid: () => ({ chatId: chat.id, isTyping: true }) },
];

describe('socket events', () => {
  let socket: ChatSocket;

  beforeAll(async () => {
    socket = (await connect(base, user.token)).socket;
  });

  afterAll(() => {
    socket?.close();
  });

  it.each(eventTargets)('$event: an ack for anything, ok:false for what the schema refuses', async (target) => {
    await fc.assert(
      fc.asyncProperty(around(target.valid()), async (payload) => {
        const ack = (await socket.timeout(10_000).emitWithAck(target.event, payload as never)) as
          | { ok: true }
          | { ok: false; error: { code: string } };
        if (!ack.ok) expect(['internal', 'unavailable'], JSON.stringify(ack)).not.toContain(ack.error.code);
        if (refuses(target.schema, payload)) expect(ack.ok, JSON.stringify(payload)?.slice(0, 200)).toBe(false);
        expect(socket.connected).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
