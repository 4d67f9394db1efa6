import type { Knex } from 'knex';

// Sessions: a session is a refresh-token family (one login on one device); access tokens name it in `sid`. Each token
// of a family records the device that presented it, for the user's list of sessions.
export async function up(knex: Knex) {
  await knex.schema.withSchema('auth').alterTable('refresh_tokens', (t) => {
    t.text('user_agent');
  });
}

export async function down(knex: Knex) {
  await knex.schema.withSchema('auth').alterTable('refresh_tokens', (t) => t.dropColumn('user_agent'));
}
