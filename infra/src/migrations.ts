// Every schema's migrations in order, as a knex migration source (no file globbing at run time).
import type { Knex } from 'knex';
import * as authUsers from '../migrations/001_auth_users.ts';
import * as chat from '../migrations/002_chat.ts';
import * as chatChanges from '../migrations/003_chat_changes.ts';
import * as chatConversation from '../migrations/004_chat_conversation.ts';
import * as search from '../migrations/005_search.ts';
import * as chatNotifications from '../migrations/006_chat_notifications.ts';
import * as authSessions from '../migrations/007_auth_sessions.ts';
import * as searchRecent from '../migrations/008_search_recent.ts';
import * as media from '../migrations/009_media.ts';
import * as chatAttachments from '../migrations/010_chat_attachments.ts';

type Migration = { up: (knex: Knex) => Promise<void>; down: (knex: Knex) => Promise<void> };

const migrations: Record<string, Migration> = {
  '001_auth_users': authUsers,
  '002_chat': chat,
  '003_chat_changes': chatChanges,
  '004_chat_conversation': chatConversation,
  '005_search': search,
  '006_chat_notifications': chatNotifications,
  '007_auth_sessions': authSessions,
  '008_search_recent': searchRecent,
  '009_media': media,
  '010_chat_attachments': chatAttachments,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name] as Migration,
};

/** Brings the database to the newest schema; safe to run on every start and from several processes. */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({
    migrationSource: source,
    tableName: 'knex_migrations',
    schemaName: 'public',
  })) as [number, string[]];
  return applied;
}
