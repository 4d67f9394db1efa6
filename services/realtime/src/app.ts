// A realtime node: Socket.IO over the Redis adapter, with health, readiness and metrics on the same port.
import { createServer } from 'node:http';
import {
  chatRoom,
  checkRedis,
  createServiceApp,
  createTokenVerifier,
  finishServiceApp,
  type Logger,
  type Metrics,
  type Redis,
  socketIoKey,
  userRoom,
} from '@chat/kit';
import type { ClientToServerEvents, ServerToClientEvents } from '@chat/kit/contract';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { ChatHistory } from './chatHistory.ts';
import type { RealtimeConfig } from './config.ts';
import { type ChatSocket, registerHandlers, type SocketData } from './handlers.ts';
import { createRealtimeMetrics } from './metrics.ts';
import { createPresence, type PresenceState } from './presence.ts';

export type RealtimeDeps = {
  config: RealtimeConfig;
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
  chatHistory: ChatHistory;
};

export function createApp({ config, redis, logger, metrics, chatHistory }: RealtimeDeps) {
  const app = createServiceApp({ logger, metrics, checks: [{ name: 'redis', check: () => checkRedis(redis) }] });
  finishServiceApp(app);
  const httpServer = createServer(app);
  const subscriber = redis.duplicate();
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>(httpServer, {
    path: '/socket.io',
    maxHttpBufferSize: config.MAX_HTTP_BUFFER_SIZE,
    serveClient: false,
    // classic adapter: chat-history and the receipts worker publish with @socket.io/redis-emitter, which speaks
    // this adapter's protocol (not the sharded one's)
    adapter: createAdapter(redis, subscriber, { key: socketIoKey(config.REDIS_PREFIX) }),
  });
  const verify = createTokenVerifier(config.publicKey);
  const presence = createPresence(redis, config.REDIS_PREFIX, config.PRESENCE_TTL_SECONDS);
  const realtimeMetrics = createRealtimeMetrics(metrics, () => io.engine.clientsCount);
  const local = new Map<string, ChatSocket>();

  /** Tells everyone who shares a chat with the user; `contacts` when the caller already has them. */
  async function announce(state: PresenceState, contacts?: string[]) {
    const to = contacts ?? (await chatHistory.contactsOf(state.userId));
    if (to.length > 0) io.to(to.map(userRoom)).emit('presence', state);
  }

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    try {
      // checked once, at connect: a socket outlives its token; a reconnect needs a fresh one
      const principal = verify(typeof token === 'string' ? token : '');
      socket.data = { userId: principal.userId, displayName: principal.displayName };
      next();
    } catch {
      next(new Error('unauthorized'));
    }
  });

  io.on('connection', (socket) => {
    const { userId } = socket.data;
    const log = logger.child({ userId, socketId: socket.id });
    local.set(socket.id, socket);
    registerHandlers(socket, {
      chatHistory,
      metrics: realtimeMetrics,
      rate: { burst: config.SOCKET_RATE_BURST, perSecond: config.SOCKET_RATE_PER_SECOND },
      typingThrottleMs: config.TYPING_THROTTLE_MS,
    });
    socket.on('disconnect', async () => {
      local.delete(socket.id);
      try {
        const lastSeenAt = await presence.leave(userId, socket.id);
        if (lastSeenAt) await announce({ userId, online: false, lastSeenAt });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'presence not updated on disconnect');
      }
    });
    (async () => {
      const [chatIds, contacts] = await Promise.all([chatHistory.chatIdsOf(userId), chatHistory.contactsOf(userId)]);
      await socket.join([userRoom(userId), ...chatIds.map(chatRoom)]);
      if (await presence.arrive(userId, socket.id))
        await announce({ userId, online: true, lastSeenAt: null }, contacts);
      socket.emit('session', { userId, nodeId: config.nodeId });
      for (const state of await presence.stateOf(contacts)) socket.emit('presence', state);
    })().catch((err: Error) => {
      log.warn({ err: err.message }, 'connect failed; the client will retry');
      socket.disconnect(true);
    });
  });

  // Heartbeats keep this node's sockets alive in Redis; the sweep announces users whose sockets all expired
  // (their node died without saying goodbye). Every node sweeps; the online set lets only one announce.
  const heartbeat = setInterval(async () => {
    try {
      await presence.heartbeat([...local.values()].map((s) => ({ userId: s.data.userId, socketId: s.id })));
      for (const userId of await presence.onlineUsers()) {
        const lastSeenAt = await presence.leave(userId);
        if (lastSeenAt) await announce({ userId, online: false, lastSeenAt });
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'presence heartbeat failed');
    }
  }, config.PRESENCE_HEARTBEAT_SECONDS * 1000);
  heartbeat.unref();

  return {
    httpServer,
    io,
    /** Stops accepting, says goodbye for this node's sockets, closes the adapter's connections. */
    async close() {
      clearInterval(heartbeat);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      subscriber.disconnect();
    },
  };
}
