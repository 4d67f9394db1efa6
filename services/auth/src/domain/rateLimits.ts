// Login and registration limits: attempts per IP and per account in fixed windows, and per account a delay that grows
// with every failure in a row, so guessing a password gets slow without letting anyone lock its owner out for long.
import { createRateLimiter, type Limit, RateLimited, type Redis } from '@chat/kit';

// KEYS: failures in a row, not-before time; ARGV: free failures, first delay (ms), longest delay (ms), forget after (ms)
// → 0 to go ahead (counted as a failure until it succeeds), else the ms left to wait
const PACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local notBefore = tonumber(redis.call('GET', KEYS[2]) or '0')
if notBefore > now then return notBefore - now end
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local over = failures - tonumber(ARGV[1])
if over >= 0 then
  local delay = math.ceil(math.min(tonumber(ARGV[2]) * 2 ^ over, tonumber(ARGV[3])))
  redis.call('SET', KEYS[2], now + delay, 'PX', delay)
end
return 0`;

export type LoginPace = {
  /** Failures in a row an account takes before each next attempt has to wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it. */
  firstDelayMs: number;
  longestDelayMs: number;
  /** Failures in a row are forgotten after this long without one. */
  forgetAfterMs: number;
};

/** The wait after `failures` failures in a row (what PACE sets), for documentation and tests. */
export function delayAfter(failures: number, pace: LoginPace): number {
  const over = failures - pace.freeFailures;
  return over < 0 ? 0 : Math.ceil(Math.min(pace.firstDelayMs * 2 ** over, pace.longestDelayMs));
}

export function createRateLimits(redis: Redis, prefix: string) {
  const counters = createRateLimiter(redis, `${prefix}:auth`);
  // one script reads both keys of an account: the hash tag keeps them in one slot on a Redis Cluster
  const failuresKey = (email: string) => `${prefix}:auth:pace:{${email}}:failures`;
  const notBeforeKey = (email: string) => `${prefix}:auth:pace:{${email}}:next`;
  return {
    /** Counts one event against each limit; throws RateLimited when any is over. */
    take: (limits: Limit[]) => counters.take(limits),

    /**
     * Counts a login attempt as a failure before the password is checked (so a burst cannot slip past the limits
     * together); throws RateLimited when a limit is over or the account's wait is not over yet.
     */
    async beginLogin(limits: Limit[], email: string, pace: LoginPace): Promise<void> {
      await counters.take(limits);
      const waitMs = Number(
        await redis.eval(
          PACE,
          2,
          failuresKey(email),
          notBeforeKey(email),
          pace.freeFailures,
          pace.firstDelayMs,
          pace.longestDelayMs,
          pace.forgetAfterMs,
        ),
      );
      if (waitMs > 0) throw new RateLimited(waitMs / 1000, 'Too many failed logins; wait before trying again');
    },

    /** The attempt was no failed guess (it succeeded, or could not be checked): uncounts it, ends the account's wait. */
    async endLogin(limits: Limit[], email: string): Promise<void> {
      await counters.giveBack(limits);
      await redis.del(failuresKey(email), notBeforeKey(email));
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
