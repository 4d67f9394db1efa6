// The abuse limits of a system under benchmark, out of the way: per-socket and per-user limits protect users from
// floods, and a benchmark is one; it measures the delivery path itself.
export const WITHOUT_LIMITS = {
  SOCKET_RATE_BURST: '100000',
  SOCKET_RATE_PER_SECOND: '100000',
  SEND_LIMIT_PER_USER: '1000000',
  LOG_LEVEL: 'error',
};
