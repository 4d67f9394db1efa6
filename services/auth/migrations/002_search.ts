import type { Knex } from 'knex';
import { backfillRows, foldForSearch } from '@chat/kit';

// User search: names and e-mails folded in the application (lower case, ё → е), so matching is right on any server
// locale.
export async function up(knex: Knex) {
  await knex.schema.withSchema('auth').alterTable('users', (t) => {
    t.text('search_key').notNullable().defaultTo('');
  });
  await backfillRows(knex, 'auth.users', (u) => ({ search_key: foldForSearch(`${u.display_name} ${u.email}`) }));
}

export async function down(knex: Knex) {
  await knex.schema.withSchema('auth').alterTable('users', (t) => t.dropColumn('search_key'));
}
