// Fixed-window counters in Redis, shared by every process of every service: each event is counted first and compared
// after, in one script, so requests arriving together cannot all pass a check that none of them had counted yet.
import { RateLimited } from './errors.ts';
import type { Redis } from './redis.ts';

export type Limit = { key: string; max: number; windowSeconds: number };

// KEYS: counters; ARGV: max and window (ms) of each → 0 when every counter is within its limit, else the ms until the
// latest of those over it starts a new window
const TAKE = `
local wait = 0
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i])
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, window) end
  if count > tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, window)
      ttl = window
    end
    if ttl > wait then wait = ttl end
  end
end
return wait`;

// KEYS: counters → takes back one event from each that still counts
const GIVE_BACK = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 and redis.call('DECR', key) <= 0 then redis.call('DEL', key) end
end
return 0`;

export function createRateLimiter(redis: Redis, prefix: string) {
  const keyOf = (key: string) => `${prefix}:rl:${key}`;
  return {
    /** Counts one event against every limit; throws RateLimited (with the wait) when any is over. */
    async take(limits: Limit[]): Promise<void> {
      if (limits.length === 0) return;
      const args = limits.flatMap(({ max, windowSeconds }) => [max, windowSeconds * 1000]);
      const waitMs = Number(await redis.eval(TAKE, limits.length, ...limits.map((l) => keyOf(l.key)), ...args));
      if (waitMs > 0) throw new RateLimited(waitMs / 1000);
    },
    /** Uncounts an event taken earlier (it turned out not to be one that is limited). */
    async giveBack(limits: Limit[]): Promise<void> {
      if (limits.length === 0) return;
      await redis.eval(GIVE_BACK, limits.length, ...limits.map((l) => keyOf(l.key)));
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
