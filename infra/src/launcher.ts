// `npm start`: one command for the whole system on one machine — PostgreSQL and Redis (found or started), migrations,
// demo data, the web build, then every service as a child process behind the gateway.
import path from 'node:path';
import { common, createKnex, createLogger, parseConfig, repoRoot } from '@chat/kit';
import { z } from 'zod';
import { seedDemoChats } from './demo-chats.ts';
import { migrateToLatest } from './migrations.ts';
import { startPostgres } from './postgres.ts';
import { startRedis } from './redis-server.ts';
import { portFree, serviceSpecs, waitForSystem } from './services.ts';
import { Supervisor } from './supervisor.ts';
import { buildWebIfStale } from './web-build.ts';

const log = createLogger('launcher');

const config = parseConfig({
  NODE_ENV: common.NODE_ENV,
  PORT: common.port(8080),
  HOST: common.HOST,
  /** Gateway processes sharing PORT (see SystemPlan.gateways); unset: DEFAULT_GATEWAYS. */
  GATEWAY_PROCESSES: z.coerce.number().int().min(1).max(64).optional(),
  DATABASE_URL: z.url().optional(),
  REDIS_URL: common.REDIS_URL,
  DATA_DIR: z.string().default(path.join(repoRoot, '.data')),
  EMBEDDED_PG_PORT: common.port(54320),
  SERVICE_PORTS_FROM: common.port(3001),
  REDIS_PREFIX: common.REDIS_PREFIX,
});

// the gateways share their port with each other, and would with any other process of this user listening on it (an
// earlier launcher still running): refused here instead
if (!(await portFree(config.PORT, config.HOST))) {
  process.stderr.write(
    `port ${config.PORT} is taken (another \`npm start\` still running?); set PORT to use another\n`,
  );
  process.exit(1);
}

const postgres = await startPostgres(config.DATABASE_URL, config.DATA_DIR, config.EMBEDDED_PG_PORT, log);
const redis = await startRedis(config.REDIS_URL, config.DATA_DIR, log).catch(async (err: Error) => {
  process.stderr.write(`${err.message}\n`);
  await postgres.stop();
  process.exit(1);
});

const db = createKnex(postgres.url, 'public', { min: 0, max: 2 });
const applied = await migrateToLatest(db);
log.info({ applied }, 'migrations done');
await db.destroy();
const seeding = config.NODE_ENV !== 'production';
log.info({ web: buildWebIfStale(repoRoot) }, 'web app');

const plan = {
  nodeEnv: config.NODE_ENV,
  databaseUrl: postgres.url,
  redisUrl: redis.url,
  redisPrefix: config.REDIS_PREFIX,
  gatewayPort: config.PORT,
  gateways: config.GATEWAY_PROCESSES,
  portsFrom: config.SERVICE_PORTS_FROM,
  demoUsers: seeding,
};
// attachments live beside the rest of the local data unless told otherwise
const services = serviceSpecs(plan).map((s) =>
  s.name === 'media' && !process.env.MEDIA_DATA_DIR
    ? { ...s, env: { ...s.env, MEDIA_DATA_DIR: path.join(config.DATA_DIR, 'media') } }
    : s,
);

const supervisor = new Supervisor(services, repoRoot);
supervisor.start();

let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  log.info('stopping every service');
  await supervisor.stop();
  await redis.stop();
  await postgres.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const gateway = `http://127.0.0.1:${config.PORT}`;
if (!(await waitForSystem(plan, 90_000, () => stopping))) log.warn('some services are not ready yet');
if (seeding)
  await seedDemoChats(gateway).catch((err: Error) => log.warn({ err: err.message }, 'demo chats not seeded'));
log.info(`ready: open http://localhost:${config.PORT}`);
