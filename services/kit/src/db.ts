import knexFactory, { type Knex } from 'knex';

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

export async function checkPostgres(db: Knex): Promise<void> {
  await db.raw('select 1');
}
