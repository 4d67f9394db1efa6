import type { Knex } from 'knex';

// Message search always asks "in these chats": one GIN index over (chat_id, search_vector) answers both conditions
// inside the index, so only matching messages of the caller's chats are read from the table (half or less of what a
// word's matches in every chat cost). btree_gin gives GIN the uuid operator class; it ships with PostgreSQL and is a
// trusted extension (a database owner may create it).
export async function up(knex: Knex) {
  await knex.raw('create extension if not exists btree_gin');
  await knex.raw('create index messages_chat_search_idx on chat.messages using gin (chat_id, search_vector)');
  await knex.raw('drop index if exists chat.messages_search_idx');
}

export async function down(knex: Knex) {
  await knex.raw('create index messages_search_idx on chat.messages using gin (search_vector)');
  await knex.raw('drop index if exists chat.messages_chat_search_idx');
}
