// A realtime node: Socket.IO over the Redis adapter (classic, or sharded on a Redis Cluster), with health, readiness
// and metrics on the same port.
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
  userRoom,
  watchEndedSessions,
} from '@chat/kit';
import type { ClientToServerEvents, ServerToClientEvents } from '@chat/kit/contract';
import { Server } from 'socket.io';
import type { ChatHistory } from './chatHistory.ts';
import type { RealtimeConfig } from './config.ts';
import { type ChatSocket, registerHandlers, type SocketData } from './handlers.ts';
import { createFanOut } from './fanOut.ts';
import { acceptGatewayStreams } from './streams.ts';
import { createRealtimeMetrics } from './metrics.ts';
import { createNodeOperations } from './operations.ts';
import { createPresence, type PresenceState } from './presence.ts';
import { createSocketSessions } from './sessions.ts';

export type RealtimeDeps = {
  config: RealtimeConfig;
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
  chatHistory: ChatHistory;
};

export function createApp({ config, redis, logger, metrics, chatHistory }: RealtimeDeps) {
  const app = createServiceApp({ logger, metrics, checks: [{ name: 'redis', check: () => checkRedis(redis) }] });
  const httpServer = createServer(app);
  const fanOut = createFanOut(redis, config.REDIS_PREFIX, logger);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>(httpServer, {
    path: '/socket.io',
    maxHttpBufferSize: config.MAX_HTTP_BUFFER_SIZE,
    serveClient: false,
    // a frozen or dead node is noticed by its clients within pingInterval + pingTimeout, and they move on
    pingInterval: config.PING_INTERVAL_MS,
    pingTimeout: config.PING_TIMEOUT_MS,
    // chat-history and the receipts worker publish in the same adapter's protocol (see events.ts there)
    adapter: fanOut.adapter,
  });
  // the browsers' sockets as the gateway carries them, all of a gateway's in one connection
  const gatewayStreams = acceptGatewayStreams(io, httpServer, {
    internalToken: config.INTERNAL_TOKEN,
    maxFrameBytes: config.MAX_HTTP_BUFFER_SIZE,
    logger,
  });
  const endedSessions = watchEndedSessions(redis, redis.duplicate(), config.REDIS_PREFIX);
  const verify = createTokenVerifier(config.publicKey, endedSessions);
  const presence = createPresence(redis, config.REDIS_PREFIX, {
    nodeId: config.nodeId,
    ttlSeconds: config.PRESENCE_TTL_SECONDS,
  });
  const realtimeMetrics = createRealtimeMetrics(metrics, () => io.engine.clientsCount);
  const local = new Map<string, ChatSocket>();

  const operations = createNodeOperations({
    io,
    local,
    redis,
    subscription: fanOut.subscription,
    internalToken: config.INTERNAL_TOKEN,
    drainPerSecond: config.DRAIN_PER_SECOND,
    logger,
  });
  app.use(operations.routes);
  finishServiceApp(app);

  /** Tells everyone who shares a chat with the user; `contacts` when the caller already has them. */
  async function announce(state: PresenceState, contacts?: string[]) {
    const to = contacts ?? (await chatHistory.contactsOf(state.userId));
    if (to.length > 0) io.to(to.map(userRoom)).emit('presence', state);
  }

  const sessions = createSocketSessions({ local, verify, ended: endedSessions, logger });

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    try {
      // checked at connect; afterwards the socket keeps a valid token with auth:refresh (see sessions.ts)
      const principal = verify(typeof token === 'string' ? token : '');
      socket.data = {
        userId: principal.userId,
        displayName: principal.displayName,
        sessionId: principal.sessionId,
        expiresAt: principal.expiresAt,
      };
      next();
    } catch {
      next(new Error('unauthorized'));
    }
  });

  // admitted sockets not connected yet: one whose client goes first must not hold a place of the user's
  const admitting = new Set<string>();
  io.use(async (socket, next) => {
    try {
      const { userId } = socket.data;
      if (await presence.admit(userId, socket.id, config.SOCKETS_PER_USER)) {
        const release = () => {
          if (!admitting.delete(socket.id)) return;
          presence.leave(userId, socket.id).catch((err: Error) => logger.warn({ err: err.message }, 'presence'));
        };
        admitting.add(socket.id);
        if (socket.conn.readyState === 'closed') release();
        else socket.conn.once('close', release);
        return next();
      }
      const refused = new Error('too_many_connections') as Error & { data?: unknown };
      refused.data = {
        code: 'rate_limited',
        message: `At most ${config.SOCKETS_PER_USER} connections per user; close one to open another`,
      };
      next(refused);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'connection not admitted');
      next(new Error('unavailable'));
    }
  });

  io.on('connection', (socket) => {
    const { userId } = socket.data;
    const log = logger.child({ userId, socketId: socket.id });
    local.set(socket.id, socket);
    admitting.delete(socket.id);
    sessions.track(socket);
    operations.greet(socket);
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
      await presenceStarted;
      if (await presence.arrive(userId, socket.id))
        await announce({ userId, online: true, lastSeenAt: null }, contacts);
      socket.emit('session', { userId, nodeId: config.nodeId });
      // one event, however many contacts
      socket.emit('presence:snapshot', { users: await presence.stateOf(contacts) });
    })().catch((err: Error) => {
      log.warn({ err: err.message }, 'connect failed; the client will retry');
      socket.disconnect(true);
    });
  });

  const announceAll = async (states: PresenceState[]) => {
    for (const state of states) await announce(state);
  };
  // before the first socket: what a previous run of this node left in Redis goes (its users are announced offline)
  const presenceStarted = presence
    .start()
    .then(announceAll)
    .catch((err: Error) => logger.warn({ err: err.message }, 'presence not started; the next heartbeat retries'));
  // The heartbeat keeps this node alive in Redis (one key); the sweep takes out the sockets of nodes that died
  // without saying goodbye and announces their users offline. Every node sweeps; a claim lets only one do each.
  const heartbeat = setInterval(async () => {
    try {
      await presence.heartbeat();
      await announceAll(await presence.sweepDeadNodes());
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
      operations.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      gatewayStreams.close();
      fanOut.close();
      endedSessions.stop();
    },
  };
}
