// The processes of one running system and how they find each other; used by the launcher and the system tests.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { repoRoot } from '@chat/kit';
import type { ServiceSpec } from './supervisor.ts';

export type SystemPlan = {
  nodeEnv: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  gatewayPort: number;
  /**
   * Gateway processes sharing gatewayPort, the kernel spreading the browsers' connections among them (default
   * DEFAULT_GATEWAYS): a message to a large group is then written to its members' sockets by several processes at once,
   * as by the gateway replicas of a deployment.
   */
  gateways?: number;
  /**
   * auth listens here, chat-history on the next port, then realtime ×2, the receipts worker, media, and each gateway
   * process's operations port (its /readyz and /metrics, one port each).
   */
  portsFrom: number;
  logLevel?: string;
  /** The demo accounts (auth creates them at start). */
  demoUsers?: boolean;
};

/**
 * One gateway process per two cores, at most 4: on one machine they share the cores with the other services, and each
 * process handles every message of a group it holds members of, so on two cores a second one costs more than it gives
 * (docs/operations.md, "Several gateway processes").
 */
export const DEFAULT_GATEWAYS = Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));

const gatewaysOf = (plan: Pick<SystemPlan, 'gateways'>) => plan.gateways ?? DEFAULT_GATEWAYS;

/** How many ports from portsFrom the services of a plan take. */
export const servicePortsOf = (plan: Pick<SystemPlan, 'gateways'>) => 6 + gatewaysOf(plan);

export function serviceSpecs(plan: SystemPlan): ServiceSpec[] {
  const port = (offset: number) => String(plan.portsFrom + offset);
  const shared = {
    NODE_ENV: plan.nodeEnv,
    DATABASE_URL: plan.databaseUrl,
    REDIS_URL: plan.redisUrl,
    REDIS_PREFIX: plan.redisPrefix,
    AUTH_URL: `http://127.0.0.1:${port(0)}`,
    CHAT_HISTORY_URL: `http://127.0.0.1:${port(1)}`,
    MEDIA_URL: `http://127.0.0.1:${port(5)}`,
    ...(plan.logLevel ? { LOG_LEVEL: plan.logLevel } : {}),
  };
  const gateways = gatewaysOf(plan);
  const realtimeUrls = [2, 3].map((o) => `http://127.0.0.1:${port(o)}`).join(',');
  const specs: ServiceSpec[] = [
    {
      name: 'auth',
      entry: 'services/auth/src/main.ts',
      env: { PORT: port(0), ...(plan.demoUsers ? { DEMO_USERS: 'true' } : {}) },
    },
    { name: 'chat-history', entry: 'services/chat-history/src/main.ts', env: { PORT: port(1) } },
    { name: 'realtime-1', entry: 'services/realtime/src/main.ts', env: { PORT: port(2), NODE_ID: 'realtime-1' } },
    { name: 'realtime-2', entry: 'services/realtime/src/main.ts', env: { PORT: port(3), NODE_ID: 'realtime-2' } },
    { name: 'receipts', entry: 'services/chat-history/src/worker.ts', env: { PORT: port(4) } },
    { name: 'media', entry: 'services/media/src/main.ts', env: { PORT: port(5) } },
    ...Array.from({ length: gateways }, (_, i) => ({
      name: `gateway-${i + 1}`,
      entry: 'gateway/src/main.ts',
      env: {
        PORT: String(plan.gatewayPort),
        OPS_PORT: port(6 + i),
        REALTIME_URLS: realtimeUrls,
        REUSE_PORT: String(gateways > 1),
      },
    })),
  ];
  return specs
    .filter((s) => existsSync(path.join(repoRoot, s.entry)))
    .map((s) => ({ ...s, env: { ...shared, ...s.env } }));
}

/** Polls a URL until it answers one of `statuses`. */
export async function waitForUrl(url: string, timeoutMs: number, statuses = [200], stopped = () => false) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopped()) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status)
      .catch(() => 0);
    if (statuses.includes(status)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Every service of the plan answers its readiness check (each gateway process on its own operations port). */
export async function waitForSystem(plan: SystemPlan, timeoutMs = 60_000, stopped = () => false) {
  const checks = await Promise.all(
    serviceSpecs(plan).map(({ env }) =>
      waitForUrl(`http://127.0.0.1:${env.OPS_PORT ?? env.PORT}/readyz`, timeoutMs, [200], stopped),
    ),
  );
  return checks.every(Boolean);
}

/** True when nothing listens on the port (a process listening with SO_REUSEPORT counts: it takes the port too). */
export async function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}
