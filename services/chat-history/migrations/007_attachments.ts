import type { Knex } from 'knex';

// Attachments of messages, in chat-history's schema: what a message shows of each upload (copied from the media
// service when the message is sent; an upload never changes) and which chat it was posted in, for access to its bytes.
// An upload is posted in one message only; deleting the message deletes its rows.
export async function up(knex: Knex) {
  await knex.schema.withSchema('chat').createTable('message_attachments', (t) => {
    t.uuid('message_id').notNullable().references('id').inTable('chat.messages').onDelete('CASCADE');
    t.smallint('position').notNullable();
    t.uuid('upload_id').notNullable().unique();
    t.text('name').notNullable();
    t.bigInteger('size').notNullable();
    t.text('mime').notNullable();
    t.integer('width');
    t.integer('height');
    t.boolean('has_thumbnail').notNullable();
    t.primary(['message_id', 'position']);
  });
}

export async function down(knex: Knex) {
  await knex.schema.withSchema('chat').dropTable('message_attachments');
}
