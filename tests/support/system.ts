// Runs the whole system for a test file: a fresh database, its own Redis prefix and ports, every service as a real
// process behind the gateway, the demo accounts seeded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '@chat/kit';
import { type SystemPlan, portFree, servicePortsOf, serviceSpecs, waitForSystem } from '@chat/infra/services';
import { Supervisor } from '@chat/infra/supervisor';
import { createTestDatabase, testPrefix, testRedisUrl } from '@chat/infra/testing';

/** The first of `count` consecutive free ports. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 40_000);
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if ((await Promise.all(ports.map((port) => portFree(port)))).every(Boolean)) return first;
  }
  throw new Error('no free ports');
}

export type RunningSystem = Awaited<ReturnType<typeof startSystem>>;

/**
 * `throughProxy` rewrites the services' database address (to put a fault-injecting proxy in between); `gateways`: how
 * many gateway processes share the gateway's port (when unset: SYSTEM_GATEWAYS, else the launcher's default).
 */
export async function startSystem(
  env: Record<string, string> = {},
  {
    throughProxy = (url: string) => url,
    gateways = process.env.SYSTEM_GATEWAYS ? Number(process.env.SYSTEM_GATEWAYS) : undefined,
  }: { throughProxy?: (url: string) => string; gateways?: number } = {},
) {
  const database = await createTestDatabase();
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'media-'));
  const logs: string[] = [];
  // a port found free can be taken by another process before a service binds it: then again on other ports
  const portTaken = () => logs.some((line) => line.includes('EADDRINUSE'));
  for (let attempt = 1; ; attempt++) {
    // the services' ports, then the gateway's
    const servicePorts = servicePortsOf({ gateways });
    const first = await freePorts(servicePorts + 1);
    const plan: SystemPlan = {
      nodeEnv: 'test',
      databaseUrl: throughProxy(database.url),
      redisUrl: testRedisUrl(),
      redisPrefix: testPrefix(),
      gatewayPort: first + servicePorts,
      gateways,
      portsFrom: first,
      logLevel: process.env.SYSTEM_LOG_LEVEL ?? 'warn',
      demoUsers: true,
    };
    const specs = serviceSpecs(plan).map((s) => ({ ...s, env: { ...s.env, MEDIA_DATA_DIR: mediaDir, ...env } }));
    const supervisor = new Supervisor(specs, repoRoot, { output: (line) => logs.push(line), restartCrashed: false });
    supervisor.start();
    if (await waitForSystem(plan, 60_000, portTaken)) return running(plan, supervisor);
    await supervisor.stop();
    if (!portTaken() || attempt === 3) {
      await database.drop();
      rmSync(mediaDir, { recursive: true, force: true });
      throw new Error(`the system did not start:\n${logs.slice(-40).join('\n')}`);
    }
    logs.length = 0;
  }

  function running(plan: SystemPlan, supervisor: Supervisor) {
    return {
      baseUrl: `http://127.0.0.1:${plan.gatewayPort}`,
      plan,
      supervisor,
      logs,
      /** Waits until the services of the plan answer ready again (after a kill/revive). */
      ready: () => waitForSystem(plan, 60_000),
      async stop() {
        await supervisor.stop();
        await database.drop();
        rmSync(mediaDir, { recursive: true, force: true });
      },
    };
  }
}
