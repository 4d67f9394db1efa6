import type { Knex } from 'knex';

// Attachments, the media service's schema: one row per uploaded file and where its bytes are stored. Released uploads
// (their message was deleted) keep their row until the purge job removes the bytes and the row.
export async function up(knex: Knex) {
  await knex.raw('create schema if not exists media');
  await knex.schema.withSchema('media').createTable('uploads', (t) => {
    t.uuid('id').primary();
    t.uuid('owner_id').notNullable().index();
    t.text('name').notNullable();
    t.bigInteger('size').notNullable();
    t.text('mime').notNullable();
    t.integer('width');
    t.integer('height');
    t.text('storage_key').notNullable();
    t.text('thumbnail_key');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('released_at', { useTz: true });
  });
}

export async function down(knex: Knex) {
  await knex.raw('drop table if exists media.uploads');
}
