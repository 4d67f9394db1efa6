// Redis clients for every service: one Redis at REDIS_URL, or a Redis Cluster when REDIS_CLUSTER_NODES names its nodes.
import { createHash } from 'node:crypto';
import { Cluster, Redis as SingleRedis, type RedisOptions } from 'ioredis';

/** A single Redis or a Redis Cluster: the commands the services use behave the same on both. */
export type Redis = SingleRedis | Cluster;
export { Cluster, SingleRedis };

/** Where Redis is: `REDIS_URL`, and the cluster's nodes when there is one (then the URL gives only credentials, TLS). */
export type RedisTarget = { REDIS_URL: string; REDIS_CLUSTER_NODES?: string[] };

/** Parses `REDIS_CLUSTER_NODES`: comma-separated host:port of some of the cluster's nodes (the rest are discovered). */
export function parseClusterNodes(value: string): string[] {
  return value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
}

const reconnect = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * An ioredis client that reconnects forever with capped backoff and fails commands fast while Redis is away; a
 * Cluster client when the target names cluster nodes.
 */
export function createRedis(target: string | RedisTarget, options: RedisOptions = {}): Redis {
  const { REDIS_URL: url, REDIS_CLUSTER_NODES: nodes = [] } =
    typeof target === 'string' ? { REDIS_URL: target } : target;
  const nodeOptions: RedisOptions = { maxRetriesPerRequest: 2, enableOfflineQueue: true, ...options };
  let client: Redis;
  if (nodes.length > 0) {
    const { username, password, protocol } = new URL(url);
    client = new Cluster(
      nodes.map((n) => {
        const [host, port] = n.split(':');
        return { host, port: Number(port || 6379) };
      }),
      {
        clusterRetryStrategy: reconnect,
        // a master that failed is replaced by its replica within the cluster's node timeout: commands wait for it
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        enableOfflineQueue: true,
        // a cluster pipelines a turn's commands per node itself; its nodes' connections only carry them
        enableAutoPipelining: nodeOptions.enableAutoPipelining ?? false,
        redisOptions: {
          ...nodeOptions,
          ...(username ? { username: decodeURIComponent(username) } : {}),
          ...(password ? { password: decodeURIComponent(password) } : {}),
          ...(protocol === 'rediss:' ? { tls: {} } : {}),
        },
      },
    );
  } else {
    client = new SingleRedis(url, { retryStrategy: reconnect, ...nodeOptions });
  }
  // While Redis is away every reconnect attempt is an 'error'; without a listener ioredis prints each one to stderr.
  // The outage shows in readiness and in the commands that fail, which callers handle.
  client.on('error', () => {});
  return client;
}

export async function checkRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
  await redis.ping();
}

/** Every key matching `pattern`, on every master of a cluster (SCAN walks one server only). */
export async function scanKeys(redis: Redis, pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await each(keys);
    } while (cursor !== '0');
  }
}

/**
 * The key prefix of a BullMQ queue. On a cluster every key of a queue must share a hash slot, so the prefix is
 * hash-tagged there, with the queue's name so that each queue gets a slot of its own (not all on one master); a
 * single Redis keeps the prefix it always had, so jobs queued before an upgrade are still found.
 */
export const queuePrefix = (redis: Redis, redisPrefix: string, queue: string) =>
  redis.isCluster ? `{${redisPrefix}:${queue}}:bull` : `${redisPrefix}:bull`;

/**
 * Closes a client once the replies it still waits for are in (QUIT), so nothing in flight fails with "Connection is
 * closed"; at once when Redis does not answer within `graceMs` (it is away).
 */
export async function closeRedis(client: Redis, graceMs = 1_000): Promise<void> {
  if (client.status === 'end') return;
  await settlesWithin(client.quit(), graceMs);
  client.disconnect();
}

/** True once `work` settles (either way), false when `ms` pass first. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

/** What `closeQueue` needs of a BullMQ queue or worker. */
type QueueLike = {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
};

/**
 * Closes a BullMQ queue or worker that shares a client with the service, once its start on that client (waiting for
 * Redis, then a version check) is over. BullMQ lets go of a shared connection's listeners when it closes, so a start
 * that fails after that (its client closed under it) would fail with nobody listening: an unhandled rejection. A start
 * that fails while closing is no news, and is taken quietly; when Redis does not answer within `graceMs`, the queue is
 * left as it is, to fail its start quietly once the client closes.
 */
export async function closeQueue(queue: QueueLike, graceMs = 1_000): Promise<void> {
  queue.on('error', () => {});
  if (await settlesWithin(queue.waitUntilReady(), graceMs)) await queue.close();
}

type ScriptArg = string | number | Buffer;

/**
 * A Lua script run by its SHA (EVALSHA): Redis neither receives nor hashes its text on every call. Each connection is
 * sent the text once, on its first call (ioredis's defined commands), and again if Redis lost its script cache.
 */
export function luaScript(redis: Redis, lua: string, numberOfKeys: number) {
  const name = `lua_${createHash('sha1').update(lua).digest('hex').slice(0, 16)}`;
  const commands = redis as unknown as Record<string, ((...args: ScriptArg[]) => Promise<unknown>) | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { lua, numberOfKeys });
  const run = commands[name] as (...args: ScriptArg[]) => Promise<unknown>;
  return (keys: string[], args: ScriptArg[]) => run.call(redis, ...keys, ...args);
}
