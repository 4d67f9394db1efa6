import type { Knex } from 'knex';

export async function up(knex: Knex) {
  await knex.raw('create schema if not exists auth');
  await knex.schema.withSchema('auth').createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('email').notNullable().unique();
    t.text('password_hash').notNullable();
    t.text('display_name').notNullable();
    t.boolean('is_admin').notNullable().defaultTo(false);
    t.boolean('is_active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create index users_display_name_lower on auth.users (lower(display_name) text_pattern_ops)`);
  await knex.schema.withSchema('auth').createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('family_id').notNullable().index();
    t.uuid('user_id').notNullable().references('id').inTable('auth.users').onDelete('CASCADE').index();
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
  });
}

export async function down(knex: Knex) {
  await knex.raw('drop table if exists auth.refresh_tokens, auth.users');
}
