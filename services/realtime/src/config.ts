// The realtime node's environment.
import { hostname } from 'node:os';
import { common, internalTokenVar, parseConfig, readKey } from '@chat/kit';
import { z } from 'zod';

const positive = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const realtimeConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(3003),
  HOST: common.HOST,
  /** Names this node in `session` events and logs; defaults to host-port. */
  NODE_ID: z.string().min(1).max(100).optional(),
  REDIS_URL: common.REDIS_URL,
  REDIS_CLUSTER_NODES: common.REDIS_CLUSTER_NODES,
  REDIS_PREFIX: common.REDIS_PREFIX,
  AUTH_PUBLIC_KEY_FILE: common.AUTH_PUBLIC_KEY_FILE,
  CHAT_HISTORY_URL: z.url().default('http://127.0.0.1:3002'),
  INTERNAL_TOKEN: internalTokenVar,
  /** Per-socket token bucket: burst size and sustained events per second. */
  SOCKET_RATE_BURST: positive(50),
  SOCKET_RATE_PER_SECOND: positive(20),
  /** Sockets one user may hold on all nodes together; the next is refused with connect_error `too_many_connections`. */
  SOCKETS_PER_USER: positive(20),
  /** At most one `typing: true` per socket and chat in this interval. */
  TYPING_THROTTLE_MS: z.coerce.number().int().min(0).default(1_000),
  PRESENCE_HEARTBEAT_SECONDS: positive(10),
  /** A socket not refreshed by its node within this time is gone (the node died). */
  PRESENCE_TTL_SECONDS: positive(30),
  /**
   * The largest frame a client may send. The largest legal event is a 4000-character body whose every character
   * JSON escapes to six bytes (\u0001) with a 100-character client id: about 25 KB; frames past this disconnect.
   */
  MAX_HTTP_BUFFER_SIZE: z.coerce
    .number()
    .int()
    .min(32 * 1024)
    .default(64 * 1024),
  /** Heartbeats: a client whose node stops answering gives up within the sum and reconnects elsewhere. */
  PING_INTERVAL_MS: positive(4_000),
  PING_TIMEOUT_MS: positive(4_000),
  /** Sockets sent to other nodes per second while this one drains for a deploy. */
  DRAIN_PER_SECOND: positive(20),
};

export type RealtimeConfig = ReturnType<typeof loadRealtimeConfig>;

export function loadRealtimeConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = parseConfig(realtimeConfigShape, env);
  return {
    ...config,
    nodeId: config.NODE_ID ?? `${hostname()}-${config.PORT}`,
    publicKey: readKey(config.AUTH_PUBLIC_KEY_FILE, 'AUTH_PUBLIC_KEY_FILE', config.NODE_ENV),
  };
}
