// A token bucket per socket: bursts up to `burst` events, `perSecond` sustained.
export function tokenBucket(burst: number, perSecond: number) {
  let tokens = burst;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
