import type { Knex } from 'knex';

// Change sync: a gapless per-chat `rev` and the durable record of every change a member can see, which clients replay
// after a gap; and what keeps the chat list's unread count from walking every unread row.
export async function up(knex: Knex) {
  await knex.schema.withSchema('chat').alterTable('chats', (t) => {
    t.bigInteger('rev').notNullable().defaultTo(0);
    // when `rev` last moved: the relay looks only at chats changed since its last pass
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['changed_at']);
  });
  await knex.schema.withSchema('chat').createTable('changes', (t) => {
    t.uuid('chat_id').notNullable().references('id').inTable('chat.chats').onDelete('CASCADE');
    t.bigInteger('rev').notNullable();
    t.text('kind').notNullable().checkIn(['message.new', 'message.updated', 'chat.updated', 'member.removed']);
    // what changed; its current state is read when the change is replayed
    t.uuid('message_id');
    t.uuid('user_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['chat_id', 'rev']);
    // retention deletes by age
    t.index(['created_at']);
    // the rev of a message's latest change, for a repeated send or delete
    t.index(['message_id']);
  });
  // unread = (last_seq - read_seq) - deleted messages past the cursor: only the few deleted rows are walked
  await knex.raw('create index messages_deleted_idx on chat.messages (chat_id, seq) where deleted_at is not null');
}

export async function down(knex: Knex) {
  await knex.raw('drop index if exists chat.messages_deleted_idx');
  await knex.schema.withSchema('chat').dropTable('changes');
  await knex.schema.withSchema('chat').alterTable('chats', (t) => {
    t.dropColumn('rev');
    t.dropColumn('changed_at');
  });
}
