import type { Knex } from 'knex';

// Conversation: replies, mentions, reactions and pins.
export async function up(knex: Knex) {
  await knex.schema.withSchema('chat').alterTable('messages', (t) => {
    // the message this one answers (same chat); its preview is read from it, so an edit or delete shows in the quote
    t.uuid('reply_to_id');
    // member ids named in the body, and 'all' for @all in a group
    t.specificType('mentions', 'text[]').notNullable().defaultTo('{}');
  });
  // unreadMentions counts these rows past the member's cursor: one per mentioned member, user_id null for @all
  await knex.schema.withSchema('chat').createTable('mentions', (t) => {
    t.uuid('chat_id').notNullable().references('id').inTable('chat.chats').onDelete('CASCADE');
    t.bigInteger('seq').notNullable();
    t.uuid('user_id');
    t.index(['chat_id', 'user_id', 'seq']);
  });
  await knex.schema.withSchema('chat').createTable('reactions', (t) => {
    t.uuid('message_id').notNullable().references('id').inTable('chat.messages').onDelete('CASCADE');
    t.text('emoji').notNullable();
    t.uuid('user_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigIncrements('position', { primaryKey: false });
    t.primary(['message_id', 'emoji', 'user_id']);
  });
  await knex.schema.withSchema('chat').createTable('pins', (t) => {
    t.uuid('chat_id').notNullable().references('id').inTable('chat.chats').onDelete('CASCADE');
    t.uuid('message_id').notNullable().references('id').inTable('chat.messages').onDelete('CASCADE');
    t.uuid('pinned_by').notNullable();
    t.timestamp('pinned_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigIncrements('position', { primaryKey: false });
    t.primary(['chat_id', 'message_id']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.withSchema('chat').dropTable('pins');
  await knex.schema.withSchema('chat').dropTable('reactions');
  await knex.schema.withSchema('chat').dropTable('mentions');
  await knex.schema.withSchema('chat').alterTable('messages', (t) => {
    t.dropColumn('reply_to_id');
    t.dropColumn('mentions');
  });
}
