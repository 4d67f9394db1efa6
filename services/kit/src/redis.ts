import { Redis, type RedisOptions } from 'ioredis';

export { Redis };

/** An ioredis client that reconnects forever with capped backoff and fails commands fast while Redis is away. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    ...options,
  });
  // While Redis is away every reconnect attempt is an 'error'; without a listener ioredis prints each one to stderr.
  // The outage shows in readiness and in the commands that fail, which callers handle.
  client.on('error', () => {});
  return client;
}

export async function checkRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
  await redis.ping();
}

/**
 * Closes a client once the replies it still waits for are in (QUIT), so nothing in flight fails with "Connection is
 * closed"; at once when Redis does not answer within `graceMs` (it is away).
 */
export async function closeRedis(client: Redis, graceMs = 1_000): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const away = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([
    client.quit().then(
      () => {},
      () => {},
    ),
    away,
  ]);
  clearTimeout(timer);
  client.disconnect();
}
