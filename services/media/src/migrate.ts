// `npm run migrate -w services/media`: brings this service's schema in DATABASE_URL to its newest migration.
import { runMigrationJob } from '@chat/kit';
import { mediaMigrations } from './db/migrations.ts';

await runMigrationJob('media-migrate', [mediaMigrations]);
