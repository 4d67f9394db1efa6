// Broadcasts committed changes to the Socket.IO cluster through Redis (the realtime nodes deliver them).
import { chatRoom, type Logger, type Redis, socketIoKey, userRoom } from '@chat/kit';
import type { Chat, Message, ServerToClientEvents } from '@chat/kit/contract';
import { Emitter } from '@socket.io/redis-emitter';

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

export function createChatEvents(redis: Redis, redisPrefix: string, logger: Logger): ChatEvents {
  let collecting: Promise<void>[] | undefined;
  // The emitter publishes without awaiting; this client keeps each publish's outcome instead of leaving it unhandled.
  const client = {
    publish(channel: string, payload: string | Buffer) {
      const done = redis.publish(channel, payload).then(
        () => undefined,
        (err: Error) => logger.warn({ err: err.message, channel }, 'broadcast not published'),
      );
      collecting?.push(done);
      return done;
    },
  };
  const emitter = new Emitter<ServerToClientEvents>(client, { key: socketIoKey(redisPrefix) });

  /** Runs the (synchronous) emits and waits, within limits, until Redis took them. */
  async function publish(emits: () => void) {
    const mine: Promise<void>[] = [];
    collecting = mine;
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
    messageNew: (message) => publish(() => emitter.to(chatRoom(message.chatId)).emit('message:new', message)),
    messageUpdated: (message) => publish(() => emitter.to(chatRoom(message.chatId)).emit('message:updated', message)),
    chatCreated: (views) =>
      publish(() => {
        for (const [userId, chat] of views) {
          emitter.in(userRoom(userId)).socketsJoin(chatRoom(chat.id));
          emitter.to(userRoom(userId)).emit('chat:created', chat);
        }
      }),
    chatUpdated: (views) =>
      publish(() => {
        for (const [userId, chat] of views) emitter.to(userRoom(userId)).emit('chat:updated', chat);
      }),
    chatRemoved: (chatId, userId) =>
      publish(() => {
        emitter.in(userRoom(userId)).socketsLeave(chatRoom(chatId));
        emitter.to(userRoom(userId)).emit('chat:removed', { chatId });
      }),
  };
}
