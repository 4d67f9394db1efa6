// Broadcasts committed changes to the Socket.IO cluster through Redis (the realtime nodes deliver them).
import { chatRoom, type Logger, type Metrics, type Redis, socketIoKey, userRoom } from '@chat/kit';
import type { Chat, Message, ServerToClientEvents } from '@chat/kit/contract';
import { Emitter } from '@socket.io/redis-emitter';
import { Counter } from 'prom-client';

export interface ChatEvents {
  messageNew(message: Message): Promise<void>;
  messageUpdated(message: Message): Promise<void>;
  /** Each new member gets their own view; their live sockets join the chat room first. */
  chatCreated(views: Map<string, Chat>): Promise<void>;
  /** Each member gets their own view in their user room. */
  chatUpdated(views: Map<string, Chat>): Promise<void>;
  /** The user's sockets leave the chat room, then the user is told. */
  chatRemoved(chatId: string, userId: string): Promise<void>;
}

// Pub/Sub is the fast path only (clients catch up from history), so a broadcast never holds an answer for long.
const PUBLISH_WAIT_MS = 1_000;

export function createChatEvents(redis: Redis, redisPrefix: string, logger: Logger, metrics: Metrics): ChatEvents {
  const messagesSent = new Counter({
    name: 'messages_sent_total',
    help: 'Messages committed and broadcast (a repeated clientId is not counted)',
    registers: [metrics.registry],
  });
  const published = new Counter({
    name: 'broadcasts_published_total',
    help: 'Events published to the realtime nodes, by event and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [metrics.registry],
  });
  let event = '';
  let collecting: Promise<void>[] | undefined;
  // The emitter publishes without awaiting; this client keeps each publish's outcome instead of leaving it unhandled.
  const client = {
    publish(channel: string, payload: string | Buffer) {
      const labels = { event };
      const done = redis.publish(channel, payload).then(
        () => void published.inc({ ...labels, outcome: 'ok' }),
        (err: Error) => {
          published.inc({ ...labels, outcome: 'failed' });
          logger.warn({ err: err.message, channel }, 'broadcast not published');
        },
      );
      collecting?.push(done);
      return done;
    },
  };
  const emitter = new Emitter<ServerToClientEvents>(client, { key: socketIoKey(redisPrefix) });

  /** Runs the (synchronous) emits and waits, within limits, until Redis took them. */
  async function publish(name: string, emits: () => void) {
    const mine: Promise<void>[] = [];
    collecting = mine;
    event = name;
    try {
      emits();
    } finally {
      collecting = undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, PUBLISH_WAIT_MS);
    });
    await Promise.race([Promise.all(mine), late]);
    clearTimeout(timer);
  }

  return {
    messageNew: (message) => {
      messagesSent.inc();
      return publish('message:new', () => emitter.to(chatRoom(message.chatId)).emit('message:new', message));
    },
    messageUpdated: (message) =>
      publish('message:updated', () => emitter.to(chatRoom(message.chatId)).emit('message:updated', message)),
    chatCreated: (views) =>
      publish('chat:created', () => {
        for (const [userId, chat] of views) {
          emitter.in(userRoom(userId)).socketsJoin(chatRoom(chat.id));
          emitter.to(userRoom(userId)).emit('chat:created', chat);
        }
      }),
    chatUpdated: (views) =>
      publish('chat:updated', () => {
        for (const [userId, chat] of views) emitter.to(userRoom(userId)).emit('chat:updated', chat);
      }),
    chatRemoved: (chatId, userId) =>
      publish('chat:removed', () => {
        emitter.in(userRoom(userId)).socketsLeave(chatRoom(chatId));
        emitter.to(userRoom(userId)).emit('chat:removed', { chatId });
      }),
  };
}
