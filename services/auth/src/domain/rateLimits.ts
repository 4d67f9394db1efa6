// Fixed-window counters in Redis: failed logins per IP and per e-mail, registrations per IP.
import { RateLimited, type Redis } from '@chat/kit';

export type Limit = { key: string; max: number; windowSeconds: number };

export function createRateLimits(redis: Redis, prefix: string) {
  const keyOf = (key: string) => `${prefix}:auth:rl:${key}`;
  return {
    /** Throws RateLimited when the counter is already at its limit. */
    async check(limits: Limit[]) {
      for (const { key, max } of limits) {
        const count = Number((await redis.get(keyOf(key))) ?? 0);
        if (count >= max) throw new RateLimited(Math.max(1, await redis.ttl(keyOf(key))));
      }
    },
    /** Counts one more event against each limit. */
    async hit(limits: Limit[]) {
      const tx = redis.multi();
      for (const { key, windowSeconds } of limits) tx.incr(keyOf(key)).expire(keyOf(key), windowSeconds, 'NX');
      await tx.exec();
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
