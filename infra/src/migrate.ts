// `npm run migrate -w infra`: brings every service's schema in DATABASE_URL to its newest migration (the one-shot job
// of container deployments). One service's alone: `npm run migrate -w services/<name>`.
import { runMigrationJob } from '@chat/kit';
import { schemas } from './migrations.ts';

await runMigrationJob('migrate', schemas);
