// `npm run migrate -w services/auth`: brings this service's schema in DATABASE_URL to its newest migration.
import { runMigrationJob } from '@chat/kit';
import { authMigrations } from './db/migrations.ts';

await runMigrationJob('auth-migrate', [authMigrations]);
