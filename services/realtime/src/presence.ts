// Presence in Redis, shared by every node: a user is online while any of their sockets, on any node, has a fresh
// heartbeat. Each transition (first socket in, last socket gone or expired) is announced exactly once, by whichever
// node makes it in Redis (the SADD/SREM on the online set decides).
import type { Redis } from '@chat/kit';

// KEYS: sockets zset, online set; ARGV: socketId, expiresAt, userId → 1 when the user just came online
const ARRIVE = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return redis.call('SADD', KEYS[2], ARGV[3])`;

// KEYS: sockets zset, online set, last-seen key; ARGV: socketId ('' for none), now, userId → 1 when the user just went offline
const LEAVE = `
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[1], ARGV[1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
if redis.call('SREM', KEYS[2], ARGV[3]) == 1 then
  redis.call('SET', KEYS[3], ARGV[2])
  return 1
end
return 0`;

export type PresenceState = { userId: string; online: boolean; lastSeenAt: string | null };

export function createPresence(redis: Redis, prefix: string, ttlSeconds: number) {
  const socketsKey = (userId: string) => `${prefix}:presence:user:${userId}`;
  const onlineKey = `${prefix}:presence:online`;
  const lastSeenKey = (userId: string) => `${prefix}:presence:lastseen:${userId}`;
  const expiry = () => Date.now() + ttlSeconds * 1000;

  return {
    /** Records a socket; true when its user was offline until now. */
    async arrive(userId: string, socketId: string): Promise<boolean> {
      return (await redis.eval(ARRIVE, 2, socketsKey(userId), onlineKey, socketId, expiry(), userId)) === 1;
    },

    /** Forgets a socket (or only expired ones); the last-seen time when its user is now offline. */
    async leave(userId: string, socketId = ''): Promise<string | null> {
      const now = Date.now();
      const left = await redis.eval(
        LEAVE,
        3,
        socketsKey(userId),
        onlineKey,
        lastSeenKey(userId),
        socketId,
        now,
        userId,
      );
      return left === 1 ? new Date(now).toISOString() : null;
    },

    /** Refreshes this node's sockets so they do not expire. */
    async heartbeat(sockets: { userId: string; socketId: string }[]) {
      if (sockets.length === 0) return;
      const pipeline = redis.pipeline();
      const until = expiry();
      for (const { userId, socketId } of sockets) pipeline.zadd(socketsKey(userId), until, socketId);
      await pipeline.exec();
    },

    /** Users marked online, for the sweep that finds those whose every socket expired (their node died). */
    onlineUsers: () => redis.smembers(onlineKey),

    async stateOf(userIds: string[]): Promise<PresenceState[]> {
      if (userIds.length === 0) return [];
      const pipeline = redis.pipeline();
      const now = Date.now();
      for (const id of userIds) pipeline.zcount(socketsKey(id), now, '+inf').get(lastSeenKey(id));
      const results = (await pipeline.exec()) ?? [];
      return userIds.map((userId, i) => {
        const live = Number(results[i * 2]?.[1] ?? 0) > 0;
        const lastSeen = results[i * 2 + 1]?.[1] as string | null;
        return {
          userId,
          online: live,
          lastSeenAt: live || !lastSeen ? null : new Date(Number(lastSeen)).toISOString(),
        };
      });
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
