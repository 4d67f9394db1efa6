// Sessions that ended (logout, revoke, password change, deactivation), known to every service within moments.
//
// An access token stays valid until it expires, so ending its session has to reach every service that checks tokens:
// the auth service records each ended session in Redis (a key per session, kept as long as any of its access tokens
// can live) and publishes it. Every service keeps the ended sessions in memory, filled from those keys when its
// subscription (re)connects and kept current by the channel, so checking a token stays a synchronous lookup; realtime
// nodes also cut the ended sessions' sockets off when they hear of them.
import { type Redis, scanKeys } from './redis.ts';

export type SessionEndReason = 'logout' | 'revoked' | 'password_changed' | 'deactivated';

export type EndedSession = { sessionId: string; userId: string; reason: SessionEndReason };

/** Longer than any access token lives: an ended session is remembered while a token of it could still be valid. */
export const ENDED_SESSION_TTL_SECONDS = 24 * 60 * 60;

const channelOf = (prefix: string) => `${prefix}:sessions:ended`;
const keyOf = (prefix: string, sessionId: string) => `${prefix}:session:ended:${sessionId}`;

/** For the auth service: records ended sessions and tells every service. */
export async function endSessions(redis: Redis, prefix: string, ended: EndedSession[]): Promise<void> {
  if (ended.length === 0) return;
  // the keys first, then the news: a process that (re)subscribes in between loads them. On a cluster the keys lie in
  // different slots, so they are written one by one (in parallel), not in one transaction.
  await Promise.all(
    ended.map((e) => redis.set(keyOf(prefix, e.sessionId), JSON.stringify(e), 'EX', ENDED_SESSION_TTL_SECONDS)),
  );
  await redis.publish(channelOf(prefix), JSON.stringify(ended));
}

export type EndedSessions = {
  /** Whether the session ended (synchronous: what this process has heard). */
  has(sessionId: string): boolean;
  /** Called with every session that ends from now on. */
  onEnded(listener: (ended: EndedSession) => void): void;
  /** Resolves once the subscription is up and the ended sessions are loaded. */
  ready: Promise<void>;
  stop(): void;
};

/** For every service that checks tokens: `subscriber` is a connection of its own (it is put in subscriber mode). */
export function watchEndedSessions(redis: Redis, subscriber: Redis, prefix: string): EndedSessions {
  const ended = new Map<string, number>();
  const listeners: ((e: EndedSession) => void)[] = [];
  const remember = (e: EndedSession, ttlMs = ENDED_SESSION_TTL_SECONDS * 1000) => {
    const isNew = !ended.has(e.sessionId);
    ended.set(e.sessionId, Date.now() + ttlMs);
    if (isNew) for (const listener of listeners) listener(e);
  };
  const prune = setInterval(() => {
    const now = Date.now();
    for (const [id, until] of ended) if (until < now) ended.delete(id);
  }, 60_000);
  prune.unref();

  /** What ended while this process was not listening (or before it started). */
  async function load() {
    await scanKeys(redis, keyOf(prefix, '*'), async (keys) => {
      const found = await Promise.all(keys.map((key) => Promise.all([redis.get(key), redis.pttl(key)])));
      for (const [value, ttl] of found) if (value && ttl > 0) remember(JSON.parse(value) as EndedSession, ttl);
    });
  }

  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== channelOf(prefix)) return;
    for (const e of JSON.parse(message) as EndedSession[]) remember(e);
  });
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const subscribeAndLoad = () =>
    subscriber
      .subscribe(channelOf(prefix))
      .then(load)
      .then(resolveReady)
      .catch(() => {
        // Redis away: the next 'ready' tries again
      });
  // ioredis resubscribes by itself after a reconnect, but what was published meanwhile is lost: load it again
  subscriber.on('ready', () => void subscribeAndLoad());
  if (subscriber.status === 'ready') void subscribeAndLoad();

  return {
    has: (sessionId) => ended.has(sessionId),
    onEnded: (listener) => void listeners.push(listener),
    ready,
    stop() {
      clearInterval(prune);
      subscriber.disconnect();
    },
  };
}
