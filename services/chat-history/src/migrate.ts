// `npm run migrate -w services/chat-history`: brings this service's schema in DATABASE_URL to its newest migration.
import { runMigrationJob } from '@chat/kit';
import { chatMigrations } from './db/migrations.ts';

await runMigrationJob('chat-history-migrate', [chatMigrations]);
