import type { Knex } from 'knex';
import { foldForSearch } from '@chat/kit';

// Search: user names and messages folded in the application (lower case, ё → е), so matching is right on any server
// locale. Messages get a tsvector of the 'russian' configuration, which stems Russian words and, for words in Latin
// letters, English ones; a GIN index over it.
const BATCH = 1_000;

async function backfill(knex: Knex, table: string, column: string, source: (row: Record<string, string>) => string) {
  let last = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: Record<string, string>[] = await knex(table).where('id', '>', last).orderBy('id').limit(BATCH);
    if (rows.length === 0) return;
    for (const row of rows) {
      const value = source(row);
      await knex(table)
        .where({ id: row.id })
        .update({
          [column]: column === 'search_vector' ? knex.raw(`to_tsvector('russian', ?)`, [value]) : value,
        });
    }
    last = rows.at(-1)?.id ?? last;
  }
}

export async function up(knex: Knex) {
  await knex.schema.withSchema('auth').alterTable('users', (t) => {
    t.text('search_key').notNullable().defaultTo('');
  });
  await backfill(knex, 'auth.users', 'search_key', (u) => foldForSearch(`${u.display_name} ${u.email}`));
  await knex.schema.withSchema('chat').alterTable('messages', (t) => {
    t.specificType('search_vector', 'tsvector');
  });
  await backfill(knex, 'chat.messages', 'search_vector', (m) => (m.deleted_at ? '' : foldForSearch(m.body ?? '')));
  await knex.raw('create index messages_search_idx on chat.messages using gin (search_vector)');
}

export async function down(knex: Knex) {
  await knex.raw('drop index if exists chat.messages_search_idx');
  await knex.schema.withSchema('chat').alterTable('messages', (t) => t.dropColumn('search_vector'));
  await knex.schema.withSchema('auth').alterTable('users', (t) => t.dropColumn('search_key'));
}
