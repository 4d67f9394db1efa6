import type { Knex } from 'knex';

export async function up(knex: Knex) {
  await knex.raw('create schema if not exists chat');
  // Display names of users as chat-history last saw them (copied from tokens and the auth directory; no cross-schema joins).
  await knex.schema.withSchema('chat').createTable('profiles', (t) => {
    t.uuid('user_id').primary();
    t.text('display_name').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema('chat').createTable('chats', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('kind').notNullable().checkIn(['direct', 'group']);
    t.text('title');
    // "<smaller uuid>:<larger uuid>" for direct chats: one chat per pair.
    t.text('direct_key').unique();
    t.uuid('created_by').notNullable();
    t.bigInteger('last_seq').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_activity_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema('chat').createTable('members', (t) => {
    t.uuid('chat_id').notNullable().references('id').inTable('chat.chats').onDelete('CASCADE');
    t.uuid('user_id').notNullable();
    t.text('role').notNullable().checkIn(['owner', 'member']);
    t.bigInteger('read_seq').notNullable().defaultTo(0);
    t.timestamp('joined_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['chat_id', 'user_id']);
    t.index(['user_id']);
  });
  await knex.schema.withSchema('chat').createTable('messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('chat_id').notNullable().references('id').inTable('chat.chats').onDelete('CASCADE');
    t.bigInteger('seq').notNullable();
    t.uuid('sender_id').notNullable();
    t.text('client_id').notNullable();
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('edited_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true });
    // Keyset pagination and gap detection walk this index.
    t.unique(['chat_id', 'seq']);
    t.unique(['chat_id', 'client_id']);
  });
}

export async function down(knex: Knex) {
  await knex.raw('drop table if exists chat.messages, chat.members, chat.chats, chat.profiles');
}
