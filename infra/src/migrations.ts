// Every service's schema, each with its own migrations and history, in the order a new database gets them.
import { authMigrations } from '@chat/auth/migrations';
import { chatMigrations } from '@chat/chat-history/migrations';
import { type Knex, migrateSchemas } from '@chat/kit';
import { mediaMigrations } from '@chat/media/migrations';

export const schemas = [authMigrations, chatMigrations, mediaMigrations];

/** Brings the database to the newest schemas; returns the migrations applied, by schema. */
export function migrateToLatest(db: Knex): Promise<Record<string, string[]>> {
  return migrateSchemas(db, schemas);
}
