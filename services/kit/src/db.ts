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

/**
 * Readiness of PostgreSQL on a connection of its own, never one of the pool's: a pool drained by slow requests must
 * not make the service look dead, and a dead server is seen at once (the pool would wait for a free connection).
 */
export async function checkPostgres(db: Knex): Promise<void> {
  // knex keeps what it was given: a URL, or an object of pg settings
  const given = (db.client as { config: { connection: string | pg.ClientConfig } }).config.connection;
  const settings = typeof given === 'string' ? { connectionString: given } : given;
  const client = new pg.Client({ ...settings, connectionTimeoutMillis: 1_500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}
