import type { Knex } from 'knex';
import { backfillRows, foldForSearch } from '@chat/kit';

// Message search: bodies folded in the application (lower case, ё → е), so matching is right on any server locale,
// then a tsvector of the 'russian' configuration, which stems Russian words and, for words in Latin letters, English
// ones; a GIN index over it.
export async function up(knex: Knex) {
  await knex.schema.withSchema('chat').alterTable('messages', (t) => {
    t.specificType('search_vector', 'tsvector');
  });
  await backfillRows(knex, 'chat.messages', (m) => ({
    search_vector: knex.raw(`to_tsvector('russian', ?)`, [m.deleted_at ? '' : foldForSearch(m.body ?? '')]),
  }));
  await knex.raw('create index messages_search_idx on chat.messages using gin (search_vector)');
}

export async function down(knex: Knex) {
  await knex.raw('drop index if exists chat.messages_search_idx');
  await knex.schema.withSchema('chat').alterTable('messages', (t) => t.dropColumn('search_vector'));
}
