// Each service owns its schema and its migrations; their history is a table in that schema. Databases made before
// the schemas had their own histories keep one shared `public.knex_migrations`: on first sight it is taken over.
import type { Knex } from 'knex';
import { common, parseConfig } from './config.ts';
import { createKnex } from './db.ts';
import { runService } from './lifecycle.ts';
import { createLogger } from './logger.ts';

export type Migration = { up: (knex: Knex) => Promise<void>; down: (knex: Knex) => Promise<void> };

export type SchemaMigrations = {
  /** The schema the service owns; its history is `<schema>.knex_migrations`. */
  schema: string;
  /** In order. */
  migrations: Record<string, Migration>;
  /** Names the same migrations had in the shared history, to take over: former name → name. */
  formerNames?: Record<string, string>;
};

const HISTORY = 'knex_migrations';
const SHARED_HISTORY = 'public.knex_migrations';

/** Brings one service's schema to its newest migration; returns the names applied now. */
async function migrateSchema(db: Knex, owned: SchemaMigrations): Promise<string[]> {
  await db.raw('create schema if not exists ??', [owned.schema]);
  await takeOverSharedHistory(db, owned);
  const source: Knex.MigrationSource<string> = {
    getMigrations: async () => Object.keys(owned.migrations),
    getMigrationName: (name) => name,
    getMigration: async (name) => owned.migrations[name] as Migration,
  };
  const [, applied] = (await db.migrate.latest({
    migrationSource: source,
    tableName: HISTORY,
    schemaName: owned.schema,
  })) as [number, string[]];
  return applied;
}

/** Brings several services' schemas to their newest migrations, in the order given; returns what was applied. */
export async function migrateSchemas(db: Knex, schemas: SchemaMigrations[]): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const owned of schemas) applied[owned.schema] = await migrateSchema(db, owned);
  return applied;
}

/** The migration job's environment. */
export const migrateConfigShape = { DATABASE_URL: common.DATABASE_URL, LOG_LEVEL: common.LOG_LEVEL };

/** The one-shot migration job of a deployment: migrates, logs what it did, exits. */
export async function runMigrationJob(name: string, schemas: SchemaMigrations[]): Promise<void> {
  await runService(name, async () => {
    const { DATABASE_URL, LOG_LEVEL } = parseConfig(migrateConfigShape);
    const db = createKnex(DATABASE_URL, 'public', { min: 0, max: 1 });
    try {
      createLogger(name, LOG_LEVEL).info({ applied: await migrateSchemas(db, schemas) }, 'migrated');
    } finally {
      await db.destroy();
    }
    process.exit(0);
  });
}

/**
 * A schema without a history of its own, in a database with the shared one: its migrations that the shared history
 * records as applied are recorded in the schema's own history (same table shape as knex's), and not run again.
 */
async function takeOverSharedHistory(db: Knex, { schema, formerNames = {} }: SchemaMigrations) {
  const own = `${schema}.${HISTORY}`;
  const [ownExists, sharedExists] = await Promise.all([tableExists(db, own), tableExists(db, SHARED_HISTORY)]);
  if (ownExists || !sharedExists) return;
  await db.transaction(async (trx) => {
    await trx.raw(
      `create table if not exists ?? (id serial primary key, name varchar(255), batch integer,
        migration_time timestamptz)`,
      [own],
    );
    const shared: { name: string; migration_time: Date }[] = await trx(SHARED_HISTORY)
      .whereIn('name', Object.keys(formerNames))
      .orderBy('id')
      .select('name', 'migration_time');
    const taken = shared.map((row) => ({ name: formerNames[row.name], batch: 0, migration_time: row.migration_time }));
    if (taken.length > 0) await trx(own).insert(taken);
  });
}

async function tableExists(db: Knex, qualified: string): Promise<boolean> {
  const { rows } = await db.raw<{ rows: { found: string | null }[] }>('select to_regclass(?) as found', [qualified]);
  return rows[0]?.found != null;
}

/** Fills a new column of existing rows in batches by id (a migration's backfill), one update per row. */
export async function backfillRows(
  knex: Knex,
  table: string,
  values: (row: Record<string, string>) => Record<string, unknown>,
  batch = 1_000,
) {
  let last = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: Record<string, string>[] = await knex(table).where('id', '>', last).orderBy('id').limit(batch);
    if (rows.length === 0) return;
    for (const row of rows) await knex(table).where({ id: row.id }).update(values(row));
    last = rows.at(-1)?.id ?? last;
  }
}
