// Fixed-window counters in Redis, shared by every process of every service: each event is counted first and compared
// after, in one script per counter, so requests arriving together cannot all pass a check that none of them had
// counted yet.
import { RateLimited } from './errors.ts';
import { luaScript, type Redis } from './redis.ts';

export type Limit = { key: string; max: number; windowSeconds: number };

// One script per counter (a Redis Cluster keeps the counters of one call in different slots; each is atomic alone).
// KEYS: the counter; ARGV: max, window (ms) → 0 when it is within its limit, else the ms until its window ends
const TAKE = `
local window = tonumber(ARGV[2])
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], window) end
if count <= tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], window)
  ttl = window
end
return ttl`;

// KEYS: the counter → takes back one event if it still counts
const GIVE_BACK = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end
return 0`;

export function createRateLimiter(redis: Redis, prefix: string) {
  const keyOf = (key: string) => `${prefix}:rl:${key}`;
  const takeOne = luaScript(redis, TAKE, 1);
  const giveBackOne = luaScript(redis, GIVE_BACK, 1);
  return {
    /** Counts one event against every limit; throws RateLimited (with the wait) when any is over. */
    async take(limits: Limit[]): Promise<void> {
      if (limits.length === 0) return;
      const waits = await Promise.all(
        limits.map(({ key, max, windowSeconds }) => takeOne([keyOf(key)], [max, windowSeconds * 1000])),
      );
      // the latest of those over their limit starts a new window
      const waitMs = Math.max(0, ...waits.map(Number));
      if (waitMs > 0) throw new RateLimited(waitMs / 1000);
    },
    /** Uncounts an event taken earlier (it turned out not to be one that is limited). */
    async giveBack(limits: Limit[]): Promise<void> {
      if (limits.length === 0) return;
      await Promise.all(limits.map((l) => giveBackOne([keyOf(l.key)], [])));
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
