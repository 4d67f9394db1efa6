import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export type { Knex };

/** A knex pool on PostgreSQL whose unqualified names resolve in the service's own schema. */
export function createKnex(url: string, schema: string, pool = { min: 0, max: 10 }): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    searchPath: [schema, 'public'],
    pool: { ...pool, acquireTimeoutMillis: 5_000 },
    acquireConnectionTimeout: 5_000,
  });
}

type PoolClient = {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<unknown>;
};

/**
 * A statement on one of the pool's connections, prepared by name: each connection sends its text and PostgreSQL
 * parses it once, later runs send only the values and reuse the plan. For the statements that run most (a send).
 * `text` takes $1, $2… placeholders; it must be the same for the same name.
 */
export async function queryPrepared<R>(db: Knex, name: string, text: string, values: unknown[]): Promise<R[]> {
  const client = db.client as PoolClient;
  const connection = await client.acquireConnection();
  try {
    return (await connection.query<R & pg.QueryResultRow>({ name, text, values })).rows;
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * The pg settings a knex pool connects with: the URL it was given, or the settings knex parsed it into. Knex makes a
 * URL's password non-enumerable (to keep it out of logs), so it is copied by name: a spread alone would drop it.
 */
export function connectionOf(db: Knex): pg.ClientConfig {
  const given = (db.client as { config: { connection: string | pg.ClientConfig } }).config.connection;
  return typeof given === 'string' ? { connectionString: given } : { ...given, password: given.password };
}

/**
 * Readiness of PostgreSQL on a connection of its own, never one of the pool's: a pool drained by slow requests must
 * not make the service look dead, and a dead server is seen at once (the pool would wait for a free connection).
 */
export async function checkPostgres(db: Knex): Promise<void> {
  const client = new pg.Client({ ...connectionOf(db), connectionTimeoutMillis: 1_500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}
