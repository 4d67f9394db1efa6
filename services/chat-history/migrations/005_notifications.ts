import type { Knex } from 'knex';

// Unread and notifications: each member's notification level and "mark as unread", and Web Push subscriptions.
export async function up(knex: Knex) {
  await knex.schema.withSchema('chat').alterTable('members', (t) => {
    // null: the default of the chat's kind (direct: all, group: mentions)
    t.text('notify').checkIn(['all', 'mentions', 'none']);
    t.boolean('marked_unread').notNullable().defaultTo(false);
  });
  await knex.schema.withSchema('chat').createTable('push_subscriptions', (t) => {
    t.bigIncrements('id');
    t.uuid('user_id').notNullable().index();
    t.text('endpoint').notNullable().unique();
    t.text('p256dh').notNullable();
    t.text('auth').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex) {
  await knex.schema.withSchema('chat').dropTable('push_subscriptions');
  await knex.schema.withSchema('chat').alterTable('members', (t) => {
    t.dropColumn('notify');
    t.dropColumn('marked_unread');
  });
}
