import { randomUUID } from 'node:crypto';
import { type EventEmitter, once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  chatRoom,
  closeRedis,
  closeServer,
  createKnex,
  createLogger,
  createMetrics,
  createRedis,
  createTokenVerifier,
  type Knex,
  listen,
  type Redis,
  socketIoKey,
  userRoom,
} from '@chat/kit';
import type { Chat, ServerToClientEvents, StoredUpload } from '@chat/kit/contract';
import { createTestDatabase, devKeys, testPrefix, testRedisUrl, until } from '@chat/infra/testing';

export { startRedisServer, until } from '@chat/infra/testing';
import { createAdapter } from '@socket.io/redis-adapter';
import jwt from 'jsonwebtoken';
import { Server as SocketServer } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { type AppDeps, createApp } from '../src/app.ts';
import type { UserDirectory } from '../src/directory.ts';
import { createPushNotifier, createPushQueue } from '../src/push/queue.ts';
import { readVapidKeys, DEV_VAPID_KEYS_FILE } from '../src/push/vapid.ts';
import { createReceiptsQueue, ReadEnqueuer } from '../src/receipts/queue.ts';
import type { UploadCatalog } from '../src/uploads.ts';

/** The users auth would know: id → name and whether the account is active. */
export function directoryOf(users: Map<string, { displayName: string; isActive?: boolean }>): UserDirectory {
  return {
    async lookup(ids) {
      return ids.flatMap((id) => {
        const user = users.get(id);
        return user ? [{ id, displayName: user.displayName, isActive: user.isActive ?? true }] : [];
      });
    },
  };
}

/** The uploads media would know, by id with their owner; `released` gathers what deletes released. */
export function catalogOf(uploads: Map<string, StoredUpload & { ownerId: string }>, released: string[] = []) {
  const catalog: UploadCatalog = {
    async lookup(ownerId, ids) {
      return ids.flatMap((id) => {
        const upload = uploads.get(id);
        if (!upload || upload.ownerId !== ownerId || released.includes(id)) return [];
        const { ownerId: _, ...stored } = upload;
        return [stored];
      });
    },
    async release(ids) {
      released.push(...ids);
    },
  };
  return catalog;
}

/**
 * Runs `work` in a transaction that stays open (what it locked or wrote stays locked, uncommitted) until `commit()`;
 * resolves once `work` has run.
 */
export async function openTransaction(db: Knex, work: (trx: Knex.Transaction) => Promise<unknown>) {
  let commit!: () => void;
  const committing = new Promise<void>((resolve) => {
    commit = resolve;
  });
  let ready!: () => void;
  const done = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const open = db.transaction(async (trx) => {
    await work(trx);
    ready();
    await committing;
  });
  await Promise.race([done, open]);
  return {
    /** Ends the transaction and waits for its commit. */
    commit: async () => {
      commit();
      await open;
    },
  };
}

/** Waits until `n` statements of this test's database wait for a lock another holds (however busy the database is). */
export async function untilBlocked(db: Knex, n: number) {
  await until(async () => {
    const { rows } = await db.raw(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and cardinality(pg_blocking_pids(pid)) > 0`,
    );
    return rows[0].n >= n;
  }, 60_000);
}

export type TestUser = { id: string; name: string; token: string };

/** A user with an access token signed like the auth service signs them. */
export function userNamed(name: string, users?: Map<string, { displayName: string; isActive?: boolean }>): TestUser {
  const id = randomUUID();
  users?.set(id, { displayName: name });
  const token = jwt.sign({ name, adm: false, sid: randomUUID() }, devKeys.privateKey(), {
    algorithm: 'ES256',
    issuer: 'chat-auth',
    audience: 'chat',
    subject: id,
    expiresIn: '15m',
  });
  return { id, name, token };
}

export type Answer<T> = { status: number; body: T };
type CallOptions = {
  method?: string;
  body?: unknown;
  token?: string;
  internal?: string;
  headers?: Record<string, string>;
};

/** One HTTP call to a running service; the body comes back parsed when there is one. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  { method = 'GET', body, token, internal, headers = {} }: CallOptions = {},
): Promise<Answer<T>> {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(internal ? { 'x-internal-token': internal } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export type RunningChatHistory = {
  baseUrl: string;
  db: Knex;
  redisPrefix: string;
  /** The queues' own connection (receipts, pushes), as the service has one. */
  queueRedis: Redis;
  /** The users auth knows; add to it before referring to a user by id. */
  users: Map<string, { displayName: string; isActive?: boolean }>;
  /** Calls the app as `user`. */
  as: (user: TestUser) => <T = Record<string, unknown>>(path: string, options?: CallOptions) => Promise<Answer<T>>;
  /** Calls the internal API with the internal token. */
  internal: <T = Record<string, unknown>>(path: string, options?: CallOptions) => Promise<Answer<T>>;
  /** Calls as a realtime node does for its socket's user: the internal token naming the user. */
  actingFor: (
    user: Pick<TestUser, 'id' | 'name'>,
  ) => <T = Record<string, unknown>>(path: string, options?: CallOptions) => Promise<Answer<T>>;
  /** A group of `owner` and `members`, created through the API. */
  group: (owner: TestUser, members: TestUser[], title?: string) => Promise<Chat>;
  stop: () => Promise<void>;
};

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';

/** The real chat-history app on a fresh database, listening on an ephemeral port. */
export async function startChatHistory({
  locale,
  admission,
  databaseUrl,
  uploads,
}: {
  /** The media service's uploads; by default an empty catalog. */
  uploads?: UploadCatalog;
  locale?: 'C';
  admission?: AppDeps['admission'];
  /** A database other than a fresh one (e.g. one that does not answer). */
  databaseUrl?: string;
} = {}): Promise<RunningChatHistory> {
  const database = await createTestDatabase({ locale });
  const db = createKnex(databaseUrl ?? database.url, 'chat', { min: 0, max: 20 });
  const redis = createRedis(testRedisUrl());
  const redisPrefix = testPrefix();
  const queueRedis = createRedis(testRedisUrl());
  const receipts = new ReadEnqueuer(createReceiptsQueue(queueRedis, redisPrefix));
  const logger = createLogger('chat-history', 'silent');
  const pushes = createPushNotifier(createPushQueue(queueRedis, redisPrefix), logger);
  const users = new Map<string, { displayName: string; isActive?: boolean }>();
  const app = createApp({
    db,
    redis,
    queueRedis,
    redisPrefix,
    receipts,
    pushes,
    push: { publicKey: readVapidKeys(DEV_VAPID_KEYS_FILE, 'test').publicKey, allowLocalEndpoints: true },
    directory: directoryOf(users),
    uploads: uploads ?? catalogOf(new Map()),
    verifyToken: createTokenVerifier(devKeys.publicKey()),
    internalToken: INTERNAL_TOKEN,
    logger,
    metrics: createMetrics('chat-history'),
    // a chat's line waits as long as a slow test machine needs; the tests of admission itself set their own
    admission: admission ?? { inFlight: 4, queued: 200, waitMs: 60_000 },
  });
  const server = await listen(createHttpServer(app), 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    db,
    redisPrefix,
    queueRedis,
    users,
    as: (user) => (path, options) => call(baseUrl, path, { ...options, token: user.token }),
    internal: (path, options) => call(baseUrl, path, { ...options, internal: INTERNAL_TOKEN }),
    actingFor: (user) => (path, options) =>
      call(baseUrl, path, {
        ...options,
        internal: INTERNAL_TOKEN,
        headers: { 'x-on-behalf-of': user.id, 'x-on-behalf-of-name': encodeURIComponent(user.name) },
      }),
    group: async (owner, members, title = 'Group') =>
      (
        await call<Chat>(baseUrl, '/api/chats/groups', {
          method: 'POST',
          token: owner.token,
          body: { title, memberIds: members.map((m) => m.id) },
        })
      ).body,
    stop: async () => {
      await closeServer(server);
      await receipts.close();
      await pushes.close();
      await db.destroy();
      await closeRedis(redis);
      await closeRedis(queueRedis);
      await database.drop();
    },
  };
}

type ListeningSocket = ClientSocket<ServerToClientEvents>;

/**
 * A Socket.IO node on the Redis adapter with the service's prefix, as a realtime node would run it: each socket joins
 * its user's room and the chat rooms it names in its handshake.
 */
export async function startSocketNode(redisPrefix: string) {
  const pub = createRedis(testRedisUrl());
  const sub = createRedis(testRedisUrl());
  const key = socketIoKey(redisPrefix);
  const http = createHttpServer();
  const io = new SocketServer(http, { adapter: createAdapter(pub, sub, { key }) });
  io.on('connection', (socket) => {
    const { userId, chatIds = [] } = socket.handshake.auth as { userId: string; chatIds?: string[] };
    socket.join([userRoom(userId), ...chatIds.map(chatRoom)]);
  });
  await listen(http, 0, '127.0.0.1');
  // the adapter subscribes asynchronously; a broadcast published before that would be missed
  const requestChannel = `${key}-request#/#`;
  await until(async () => Number(((await pub.pubsub('NUMSUB', requestChannel)) as [string, number])[1]) > 0);
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sockets: ListeningSocket[] = [];
  return {
    io,
    /** A connected client socket of `userId`, in the rooms of `chatIds`. */
    async connect(userId: string, chatIds: string[] = []): Promise<ListeningSocket> {
      const socket: ListeningSocket = ioClient(url, {
        auth: { userId, chatIds },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      sockets.push(socket);
      await once(socket as unknown as EventEmitter, 'connect');
      return socket;
    },
    async stop() {
      for (const s of sockets) s.close();
      await io.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

/** Resolves with the next `event` on the socket that passes `match`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: ListeningSocket,
  event: E,
  match: (...args: Parameters<ServerToClientEvents[E]>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: Parameters<ServerToClientEvents[E]>) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args[0]);
    };
    socket.on(event, listener as never);
  });
}

/** Every `event` the socket gets from now on. */
export function collectEvents<E extends keyof ServerToClientEvents>(socket: ListeningSocket, event: E) {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  socket.on(event, ((payload: Parameters<ServerToClientEvents[E]>[0]) => seen.push(payload)) as never);
  return seen;
}
