// Each service owns its schema's migrations and their history; a database migrated before that keeps working.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { chatMigrations } from '@chat/chat-history/migrations';
import { migrateToLatest, schemas } from '@chat/infra';
import { createTestDatabase, type TestDatabase } from '@chat/infra/testing';
import { createKnex, type Knex, repoRoot } from '@chat/kit';
import { afterEach, describe, expect, it } from 'vitest';

let database: TestDatabase;
let db: Knex;

afterEach(async () => {
  await db?.destroy();
  await database?.drop();
});

async function open(options: { migrate?: boolean } = {}) {
  database = await createTestDatabase(options);
  db = createKnex(database.url, 'public', { min: 0, max: 1 });
}

const history = async (schema: string) =>
  (await db(`${schema}.knex_migrations`).orderBy('id').select('name')).map((row: { name: string }) => row.name);

const schemaNames = async () =>
  (
    await db('information_schema.schemata')
      .whereIn('schema_name', ['auth', 'chat', 'media'])
      .orderBy('schema_name')
      .select('schema_name')
  ).map((row: { schema_name: string }) => row.schema_name);

describe('migrations', () => {
  it('keeps each schema’s history in the schema, under names of its own', async () => {
    await open();
    for (const owned of schemas) expect(await history(owned.schema)).toEqual(Object.keys(owned.migrations));
    const shared = await db.raw(`select to_regclass('public.knex_migrations') as found`);
    expect(shared.rows[0].found).toBeNull();
  });

  it('migrates one service’s schema alone with that service’s own command', async () => {
    await open({ migrate: false });
    const result = spawnSync(path.join(repoRoot, 'node_modules/.bin/node'), ['services/auth/src/migrate.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(await schemaNames()).toEqual(['auth']);
    expect(await history('auth')).toEqual(['001_users', '002_search', '003_sessions']);
  });

  it('takes over the shared history of an older database and runs only what it lacks', async () => {
    await open();
    const [user] = await db('auth.users')
      .insert({ email: 'kept@example.com', display_name: 'Kept', password_hash: 'x' })
      .returning('id');
    // the layout before: one history in public under the former names, none in the schemas, and the newest chat
    // migration not yet applied
    await db.raw(
      'create table public.knex_migrations (id serial primary key, name varchar(255), batch integer, migration_time timestamptz)',
    );
    const former = schemas.flatMap((owned) =>
      Object.entries(owned.formerNames ?? {}).map(([formerName, name]) => ({ formerName, name, schema: owned.schema })),
    );
    const newestChat = Object.keys(chatMigrations.migrations).at(-1) as string;
    const formerRows = [...new Set(former.filter((f) => f.name !== newestChat).map((f) => f.formerName))].sort();
    await db('public.knex_migrations').insert(
      formerRows.map((name) => ({ name, batch: 1, migration_time: new Date() })),
    );
    for (const owned of schemas)
      await db.raw('drop table ??, ??', [`${owned.schema}.knex_migrations`, `${owned.schema}.knex_migrations_lock`]);
    await chatMigrations.migrations[newestChat]?.down(db);

    expect(await migrateToLatest(db)).toEqual({ auth: [], chat: [newestChat], media: [] });
    for (const owned of schemas) expect(await history(owned.schema)).toEqual(Object.keys(owned.migrations));
    expect(await db('auth.users').where({ id: user.id }).first()).toMatchObject({ email: 'kept@example.com' });
    // and once more: nothing to do
    expect(await migrateToLatest(db)).toEqual({ auth: [], chat: [], media: [] });
  });
});
