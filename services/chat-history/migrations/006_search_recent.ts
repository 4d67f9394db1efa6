import type { Knex } from 'knex';

// Search looks at the newest messages first. `pos` numbers messages across all chats in the order they were written
// (an identity column, so the newest position is one step down an index); a search then intersects the word's GIN
// entries with the newest positions and reads from the table only the matches among them, instead of every match of
// a common word however old.
export async function up(knex: Knex) {
  await knex.raw('alter table chat.messages add column pos bigint generated always as identity');
  await knex.raw('create index messages_pos_idx on chat.messages (pos)');
}

export async function down(knex: Knex) {
  await knex.raw('drop index if exists chat.messages_pos_idx');
  await knex.raw('alter table chat.messages drop column pos');
}
