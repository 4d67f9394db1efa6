// Publishes committed changes to the Socket.IO cluster through Redis (the realtime nodes deliver them): in rev order
// per chat, each marked as published in Redis once Redis took it, so the relay can tell what still has to go out.
import {
  chatRoom,
  type Logger,
  luaScript,
  type Metrics,
  type Redis,
  ShardedEmitter,
  socketIoKey,
  userRoom,
} from '@chat/kit';
import type { Chat, Message, PinsUpdate, Receipt, ServerToClientEvents } from '@chat/kit/contract';
import { Emitter } from '@socket.io/redis-emitter';
import { Counter } from 'prom-client';
import { type ExpectedPlace, Sequencer } from './feed/sequencer.ts';

export interface ChatEvents {
  /** Takes the rev's place in its chat's publishing order; call inside the transaction that took it. */
  hold(chatId: string, rev: number): void;
  /** Gives the place up: the transaction rolled back. */
  release(chatId: string, rev: number): void;
  /** A place for a statement that takes its rev and commits at once; call before it runs (see sequencer.ts). */
  expect(chatId: string): ExpectedPlace;
  // Each publishing call answers true once Redis took every event of the change (false: the relay will retry it).
  messageNew(message: Message, rev: number): Promise<boolean>;
  messageUpdated(message: Message, rev: number): Promise<boolean>;
  /**
   * The chat changed (created, renamed, members added): each member gets their own view in their user room. Members
   * in `created` (new to the chat) get `chat:created` and their sockets join the chat room first; with `joinAll`,
   * every member's sockets join it (the relay, which cannot tell who was added).
   */
  chatChanged(
    chatId: string,
    rev: number,
    views: Map<string, Chat>,
    options?: { created?: Set<string>; joinAll?: boolean },
  ): Promise<boolean>;
  /** The user's sockets leave the chat room and the user is told; the remaining members get their views. */
  memberRemoved(chatId: string, rev: number, userId: string, views: Map<string, Chat>): Promise<boolean>;
  /** The chat's pinned list changed. */
  pinsUpdated(update: PinsUpdate): Promise<boolean>;
  /** A member's read cursor moved: every member's sockets (the reader's other tabs included) learn it. */
  receipts(receipts: Receipt[]): Promise<void>;
  /** The member's own view after a change only they see (notification level, marked unread). */
  chatState(userId: string, chat: Chat): Promise<void>;
}

type Events = ServerToClientEvents;
/** What both publishers (classic and sharded) offer the events below. */
type RoomOperator = {
  emit<E extends keyof Events & string>(event: E, ...args: Parameters<Events[E]>): unknown;
  socketsJoin(rooms: string): unknown;
  socketsLeave(rooms: string): unknown;
};
type RoomEmitter = { to(rooms: string): RoomOperator; in(rooms: string): RoomOperator };

// Pub/Sub is the fast path only (clients catch up from the change record), so a broadcast never holds an answer long.
const PUBLISH_WAIT_MS = 1_000;
// How long Redis remembers a chat's published rev; a chat quiet for longer starts over (see MARK_PUBLISHED).
const PUBLISHED_TTL_SECONDS = 24 * 3600;

// KEYS: the chat's published-rev key; ARGV: rev, ttl, 'contiguous'|'max'. Contiguous: the mark moves only from rev - 1
// (or from nothing), so a change whose publish failed keeps the mark below it until the relay publishes it again.
const MARK = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '-1')
local rev = tonumber(ARGV[1])
if cur == -1 or cur == rev - 1 or (ARGV[3] == 'max' and cur < rev) then
  redis.call('SET', KEYS[1], rev, 'EX', ARGV[2])
  return 1
end
return 0`;
// The same, after publishing the change's events (ARGV from 4 on: channel, payload, channel, payload…): on a single
// Redis a change costs one round trip, and its events and its mark are taken together or not at all.
const PUBLISH_AND_MARK = `
for i = 4, #ARGV, 2 do
  redis.call('PUBLISH', ARGV[i], ARGV[i + 1])
end
${MARK}`;

export const publishedRevKey = (redisPrefix: string, chatId: string) => `${redisPrefix}:published:${chatId}`;

export function createChatEvents(redis: Redis, redisPrefix: string, logger: Logger, metrics: Metrics) {
  const published = new Counter({
    name: 'broadcasts_published_total',
    help: 'Events published to the realtime nodes, by event and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [metrics.registry],
  });
  const messagesSent = new Counter({
    name: 'messages_sent_total',
    help: 'Messages published to the realtime nodes (the relay publishing one again counts again)',
    registers: [metrics.registry],
  });
  const sequencer = new Sequencer();
  let event = '';
  let collecting: Promise<boolean>[] | undefined;
  // The emitter publishes without awaiting; this client keeps each publish's outcome instead of leaving it unhandled.
  const track = (channel: string, sending: Promise<unknown>, count = 1) => {
    const labels = { event };
    const done = sending.then(
      () => {
        published.inc({ ...labels, outcome: 'ok' }, count);
        return true;
      },
      (err: Error) => {
        published.inc({ ...labels, outcome: 'failed' }, count);
        logger.warn({ err: err.message, channel }, 'broadcast not published');
        return false;
      },
    );
    collecting?.push(done);
    return done;
  };
  // A change's events, kept back to go out with its mark in one script (single Redis); undefined: each goes at once.
  let held: [string, string | Buffer][] | undefined;
  const client = {
    publish: (channel: string, payload: string | Buffer) => {
      if (held) held.push([channel, payload]);
      else track(channel, redis.publish(channel, payload));
    },
    spublish: (channel: string, payload: string | Buffer) => track(channel, redis.spublish(channel, payload)),
  };
  // A cluster's realtime nodes use the sharded adapter (SPUBLISH, a channel per room); a single Redis, the classic one
  const emitter: RoomEmitter = redis.isCluster
    ? new ShardedEmitter<ServerToClientEvents>(client, { channelPrefix: socketIoKey(redisPrefix) })
    : new Emitter<ServerToClientEvents>(client, { key: socketIoKey(redisPrefix) });
  const mark = luaScript(redis, MARK, 1);
  const publishAndMark = luaScript(redis, PUBLISH_AND_MARK, 1);

  /** Waits, within limits, until Redis took what was sent; true when it took it all. */
  async function taken(sending: Promise<boolean>[]): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PUBLISH_WAIT_MS);
    });
    const outcome = await Promise.race([Promise.all(sending).then((all) => all.every(Boolean)), late]);
    clearTimeout(timer);
    return outcome;
  }

  /** Runs the (synchronous) emits, and waits, within limits, until Redis took them; true when it took them all. */
  async function publish(name: string, emits: () => void): Promise<boolean> {
    const mine: Promise<boolean>[] = [];
    collecting = mine;
    event = name;
    try {
      emits();
    } finally {
      collecting = undefined;
    }
    return taken(mine);
  }

  async function markPublished(chatId: string, rev: number, mode: 'contiguous' | 'max') {
    try {
      await mark([publishedRevKey(redisPrefix, chatId)], [rev, PUBLISHED_TTL_SECONDS, mode]);
    } catch (err) {
      logger.warn({ err: (err as Error).message, chatId, rev }, 'published rev not marked');
    }
  }

  /** On a single Redis: the change's events and its mark in one script call. */
  function publishMarked(name: string, chatId: string, rev: number, emits: () => void): Promise<boolean> {
    const events: [string, string | Buffer][] = [];
    held = events;
    try {
      emits();
    } finally {
      held = undefined;
    }
    event = name;
    const sending = publishAndMark(
      [publishedRevKey(redisPrefix, chatId)],
      [rev, PUBLISHED_TTL_SECONDS, 'contiguous', ...events.flat()],
    );
    const done = track(`${events.length} events of chat ${chatId}`, sending, events.length);
    return taken([done]);
  }

  /** A change's events, in rev order within the chat, then its mark. */
  async function publishChange(name: string, chatId: string, rev: number, emits: () => void): Promise<boolean> {
    let sent!: Promise<boolean>;
    if (!redis.isCluster) {
      await sequencer.inOrder(chatId, rev, () => {
        sent = publishMarked(name, chatId, rev, emits);
      });
      return sent;
    }
    // on a cluster a room's channel and the chat's mark lie in different slots: one after the other
    await sequencer.inOrder(chatId, rev, () => {
      sent = publish(name, emits);
    });
    const ok = await sent;
    if (ok) await markPublished(chatId, rev, 'contiguous');
    return ok;
  }

  const events: ChatEvents = {
    hold: (chatId, rev) => sequencer.hold(chatId, rev),
    release: (chatId, rev) => sequencer.release(chatId, rev),
    expect: (chatId) => sequencer.expect(chatId),
    messageNew: (message, rev) => {
      messagesSent.inc();
      return publishChange('message:new', message.chatId, rev, () =>
        emitter.to(chatRoom(message.chatId)).emit('message:new', { ...message, rev }),
      );
    },
    messageUpdated: (message, rev) =>
      publishChange('message:updated', message.chatId, rev, () =>
        emitter.to(chatRoom(message.chatId)).emit('message:updated', { ...message, rev }),
      ),
    chatChanged: (chatId, rev, views, { created, joinAll } = {}) =>
      publishChange(created?.size ? 'chat:created' : 'chat:updated', chatId, rev, () => {
        for (const [userId, chat] of views) {
          const isNew = created?.has(userId) ?? false;
          if (isNew || joinAll) emitter.in(userRoom(userId)).socketsJoin(chatRoom(chatId));
          emitter.to(userRoom(userId)).emit(isNew ? 'chat:created' : 'chat:updated', chat);
        }
      }),
    memberRemoved: (chatId, rev, userId, views) =>
      publishChange('chat:removed', chatId, rev, () => {
        emitter.in(userRoom(userId)).socketsLeave(chatRoom(chatId));
        emitter.to(userRoom(userId)).emit('chat:removed', { chatId, rev });
        for (const [memberId, chat] of views) emitter.to(userRoom(memberId)).emit('chat:updated', chat);
      }),
    pinsUpdated: (update) =>
      publishChange('pins:updated', update.chatId, update.rev, () =>
        emitter.to(chatRoom(update.chatId)).emit('pins:updated', update),
      ),
    chatState: async (userId, chat) => {
      await publish('chat:state', () => emitter.to(userRoom(userId)).emit('chat:state', chat));
    },
    receipts: async (receipts) => {
      if (receipts.length === 0) return;
      await publish('receipt', () => {
        for (const r of receipts) emitter.to(chatRoom(r.chatId)).emit('receipt', r);
      });
    },
  };
  return {
    ...events,
    /** The relay moved the chat's published mark to `rev` after publishing everything up to it again. */
    markRelayed: (chatId: string, rev: number) => markPublished(chatId, rev, 'max'),
    /** Published marks of these chats (-1 when Redis has none). */
    async publishedRevs(chatIds: string[]): Promise<Map<string, number>> {
      if (chatIds.length === 0) return new Map();
      // one GET per chat, not MGET: on a Redis Cluster the marks lie in different slots
      const marks = await Promise.all(chatIds.map((id) => redis.get(publishedRevKey(redisPrefix, id))));
      return new Map(chatIds.map((id, i) => [id, marks[i] === null ? -1 : Number(marks[i])]));
    },
  };
}

export type ChangePublisher = ReturnType<typeof createChatEvents>;
