// `npm run migrate -w infra`: brings DATABASE_URL to the newest schema (the one-shot job of container deployments).
import { createKnex, createLogger, parseConfig, runService } from '@chat/kit';
import { migrateConfigShape } from './migrate-config.ts';
import { migrateToLatest } from './migrations.ts';

await runService('migrate', async () => {
  const { DATABASE_URL, LOG_LEVEL } = parseConfig(migrateConfigShape);
  const logger = createLogger('migrate', LOG_LEVEL);
  const db = createKnex(DATABASE_URL, 'public', { min: 0, max: 1 });
  try {
    logger.info({ applied: await migrateToLatest(db) }, 'migrated');
  } finally {
    await db.destroy();
  }
  process.exit(0);
});
