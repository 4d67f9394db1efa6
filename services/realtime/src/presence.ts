// Presence in Redis, shared by every node: a user is online while any of their sockets, on any live node, is
// connected. Each transition (first socket in, last socket gone) is announced exactly once, by whichever node makes it
// in Redis (the SADD/SREM on the online set decides).
//
// Redis work follows changes, not the number of sockets: a connect or disconnect is one script; an idle socket costs
// nothing. Every key is under one hash tag (presenceKeyPrefix), so the scripts also run on a Redis Cluster.
// Each node keeps one liveness key alive (one SET per heartbeat) and indexes its own sockets; a node whose key
// expired died without saying goodbye, and one surviving node (a claim decides) takes its sockets out. A node that
// restarts under the same id first takes out what its previous run left.
import { presenceKeyPrefix, presenceSocketsKey, type Redis } from '@chat/kit';
import type { PresenceState } from '@chat/kit/contract';

// KEYS: user's sockets, online set, node's sockets; ARGV: node|socket, userId, user|socket → 1 when just online
const ARRIVE = `
redis.call('ZADD', KEYS[1], '+inf', ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
return redis.call('SADD', KEYS[2], ARGV[2])`;

// KEYS: user's sockets, online set, last-seen key, node's sockets; ARGV: node|socket, now, userId, user|socket
// → 1 when the user just went offline
const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[4])
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
if redis.call('SREM', KEYS[2], ARGV[3]) == 1 then
  redis.call('SET', KEYS[3], ARGV[2])
  return 1
end
return 0`;

// KEYS: user's sockets, node's sockets; ARGV: node|socket, user|socket, most → 1 when admitted (and recorded), else 0
const ADMIT = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], '+inf', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1`;

export type { PresenceState };

export type PresenceOptions = { nodeId: string; ttlSeconds: number };

export function createPresence(redis: Redis, prefix: string, { nodeId, ttlSeconds }: PresenceOptions) {
  // the push worker counts a user's sockets with ZCOUNT now..+inf: entries stay at +inf until their socket or node goes
  const socketsKey = (userId: string) => presenceSocketsKey(prefix, userId);
  const tagged = presenceKeyPrefix(prefix);
  const onlineKey = `${tagged}:online`;
  const nodesKey = `${tagged}:nodes`;
  const aliveKey = (node: string) => `${tagged}:node:${node}`;
  const nodeSocketsKey = (node: string) => `${tagged}:node-sockets:${node}`;
  const claimKey = (node: string) => `${tagged}:cleanup:${node}`;
  const lastSeenKey = (userId: string) => `${tagged}:lastseen:${userId}`;

  async function leaveAs(node: string, userId: string, socketId: string): Promise<string | null> {
    const now = Date.now();
    const left = await redis.eval(
      LEAVE,
      4,
      socketsKey(userId),
      onlineKey,
      lastSeenKey(userId),
      nodeSocketsKey(node),
      `${node}|${socketId}`,
      now,
      userId,
      `${userId}|${socketId}`,
    );
    return left === 1 ? new Date(now).toISOString() : null;
  }

  /** Takes every socket a node left behind out; the users that went offline, with when. */
  async function clearNode(node: string): Promise<PresenceState[]> {
    const offline: PresenceState[] = [];
    for (const entry of await redis.smembers(nodeSocketsKey(node))) {
      const [userId, socketId] = entry.split('|') as [string, string];
      const lastSeenAt = await leaveAs(node, userId, socketId);
      if (lastSeenAt) offline.push({ userId, online: false, lastSeenAt });
    }
    if (node !== nodeId) await redis.srem(nodesKey, node);
    return offline;
  }

  return {
    /** Joins the node registry, after taking out what a previous run under this id left; users now offline. */
    async start(): Promise<PresenceState[]> {
      const left = await clearNode(nodeId);
      await this.heartbeat();
      return left;
    },

    /**
     * Records a connecting socket unless its user already has `most` sockets on the live nodes together (counted and
     * recorded in one script, so connections arriving at once cannot all pass). `arrive` then announces it.
     */
    async admit(userId: string, socketId: string, most: number): Promise<boolean> {
      const admitted = await redis.eval(
        ADMIT,
        2,
        socketsKey(userId),
        nodeSocketsKey(nodeId),
        `${nodeId}|${socketId}`,
        `${userId}|${socketId}`,
        most,
      );
      return admitted === 1;
    },

    /** Records a socket; true when its user was offline until now. */
    async arrive(userId: string, socketId: string): Promise<boolean> {
      const added = await redis.eval(
        ARRIVE,
        3,
        socketsKey(userId),
        onlineKey,
        nodeSocketsKey(nodeId),
        `${nodeId}|${socketId}`,
        userId,
        `${userId}|${socketId}`,
      );
      return added === 1;
    },

    /** Forgets a socket; the last-seen time when its user is now offline. */
    leave: (userId: string, socketId: string) => leaveAs(nodeId, userId, socketId),

    /** Keeps this node alive in Redis: one key, whatever the number of sockets. */
    async heartbeat() {
      await redis
        .multi()
        .set(aliveKey(nodeId), '1', 'PX', ttlSeconds * 1000)
        .sadd(nodesKey, nodeId)
        .exec();
    },

    /** Nodes whose liveness key expired: one caller takes each one's sockets out; the users now offline. */
    async sweepDeadNodes(): Promise<PresenceState[]> {
      const nodes = (await redis.smembers(nodesKey)).filter((n) => n !== nodeId);
      if (nodes.length === 0) return [];
      const alive = await Promise.all(nodes.map((n) => redis.exists(aliveKey(n))));
      const offline: PresenceState[] = [];
      for (const [i, node] of nodes.entries()) {
        if (alive[i]) continue;
        const claimed = await redis.set(claimKey(node), nodeId, 'PX', ttlSeconds * 1000, 'NX');
        if (claimed) offline.push(...(await clearNode(node)));
      }
      return offline;
    },

    async stateOf(userIds: string[]): Promise<PresenceState[]> {
      if (userIds.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of userIds) pipeline.zcard(socketsKey(id)).get(lastSeenKey(id));
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
