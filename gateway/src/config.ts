import path from 'node:path';
import { common, internalTokenVar, parseConfig, repoRoot } from '@chat/kit';
import { z } from 'zod';

const urlList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url()).min(1, 'must list at least one URL'));

export const gatewayConfigShape = {
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  PORT: common.port(8080),
  HOST: common.HOST,
  /**
   * 'true': several gateway processes on one machine listen on the same PORT (and OPS_PORT), the kernel spreading
   * the connections among them (SO_REUSEPORT, Linux), as the launcher runs them. Off by default: a port already taken
   * is then an error, never shared by surprise.
   */
  REUSE_PORT: z.enum(['true', 'false']).default('false'),
  /** The gateway is where clients arrive: it believes no one unless a load balancer in front is named here. */
  TRUSTED_PROXIES: common.trustedProxies(''),
  AUTH_URL: z.url().default('http://127.0.0.1:3001'),
  CHAT_HISTORY_URL: z.url().default('http://127.0.0.1:3002'),
  /** Realtime nodes, comma-separated; sockets are spread across them. */
  MEDIA_URL: z.url().default('http://127.0.0.1:3006'),
  REALTIME_URLS: urlList.default(['http://127.0.0.1:3003', 'http://127.0.0.1:3004']),
  /**
   * 'true' (the default): the browsers' WebSockets to a realtime node travel in one connection of the gateway's to it
   * (streams.ts); 'false': each is proxied in a connection of its own.
   */
  REALTIME_STREAMS: z.enum(['true', 'false']).default('true'),
  /** Opens the gateway's connections to the realtime nodes when REALTIME_STREAMS is on. */
  INTERNAL_TOKEN: internalTokenVar,
  WEB_DIR: z.string().default(path.join(repoRoot, 'web/build')),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** Uploads (/api/uploads) may be this large; the media service applies its own, exact limit inside it. */
  UPLOAD_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(25 * 1024 * 1024 + 64 * 1024),
  /** How long an upload or a download through the gateway may take. */
  MEDIA_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(600_000),
  /** /readyz and /metrics of the gateway are served on this port (on OPS_HOST) only; unset serves them nowhere. */
  OPS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  OPS_HOST: common.HOST,
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  return parseConfig(gatewayConfigShape, env);
}
