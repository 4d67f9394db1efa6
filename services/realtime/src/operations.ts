// What the node tells about itself and what operators do to it: its status for the gateway's health checks (ready,
// draining, sockets held), draining for a deploy (the gateway sends it no new sockets; held ones, and any that still
// arrive before the gateway's next check, are sent elsewhere a few at a time), and
// "live updates paused" for its sockets while its Redis subscription is down (sends still commit meanwhile), with a
// sync when it returns.
import type { EventEmitter } from 'node:events';
import { checkRedis, type Logger, type Redis, requireInternal } from '@chat/kit';
import { Router } from 'express';
import type { Server } from 'socket.io';
import type { ChatSocket } from './handlers.ts';

export type NodeOperationsDeps = {
  io: Server;
  /** This node's sockets. */
  local: Map<string, ChatSocket>;
  redis: Redis;
  /** The adapter's subscription ('close', 'ready'): while it is down, this node hears nothing published. */
  subscription: Pick<EventEmitter, 'on'>;
  internalToken: string;
  /** Sockets sent away per second while draining. */
  drainPerSecond: number;
  logger: Logger;
};

export function createNodeOperations({
  io,
  local,
  redis,
  subscription,
  internalToken,
  drainPerSecond,
  logger,
}: NodeOperationsDeps) {
  let draining = false;
  let drainTimer: NodeJS.Timeout | undefined;
  let subscribed = false;
  let paused = false;

  subscription.on('close', () => {
    if (!subscribed || paused) return;
    paused = true;
    logger.warn({ sockets: local.size }, 'redis subscription lost; live updates paused');
    io.local.emit('live', { paused: true });
  });
  // back: whatever was published meanwhile was missed, so sockets sync (they fetch only what they lack). The first
  // `ready` is the start, not a return.
  subscription.on('ready', () => {
    if (subscribed) {
      logger.info({ sockets: local.size }, 'redis subscription back; telling sockets to sync');
      if (paused) io.local.emit('live', { paused: false });
      io.local.emit('resync', {});
    }
    subscribed = true;
    paused = false;
  });

  function drain() {
    if (draining) return;
    draining = true;
    logger.info({ sockets: local.size, perSecond: drainPerSecond }, 'draining');
    drainTimer = setInterval(
      () => {
        const next = local.values().next();
        // the client reconnects through the gateway, which no longer sends it here
        if (!next.done) next.value.disconnect(true);
      },
      Math.max(1, Math.floor(1000 / drainPerSecond)),
    );
    drainTimer.unref();
  }

  const routes = Router();
  routes.get('/status', async (_req, res) => {
    const redisOk = await checkRedis(redis).then(
      () => true,
      () => false,
    );
    // connections from the moment they arrive, not once signed in (that waits for chat-history): the gateway counts
    // what it sent since it asked, so one still signing in when the node answered would be missing from both counts
    res.json({ ready: redisOk && !draining, draining, sockets: io.engine.clientsCount });
  });
  routes.post('/drain', requireInternal(internalToken), (_req, res) => {
    drain();
    res.status(202).json({ draining: true, sockets: local.size });
  });

  return {
    routes,
    /** A socket just connected: it learns at once when live updates are paused. */
    greet(socket: ChatSocket) {
      if (paused) socket.emit('live', { paused: true });
    },
    stop: () => clearInterval(drainTimer),
  };
}
