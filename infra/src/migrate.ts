// `npm run migrate -w infra`: brings DATABASE_URL to the newest schema (the one-shot job of container deployments).
import { common, createKnex, createLogger, parseConfig, runService } from '@chat/kit';
import { migrateToLatest } from './migrations.ts';

await runService('migrate', async () => {
  const { DATABASE_URL, LOG_LEVEL } = parseConfig({ DATABASE_URL: common.DATABASE_URL, LOG_LEVEL: common.LOG_LEVEL });
  const logger = createLogger('migrate', LOG_LEVEL);
  const db = createKnex(DATABASE_URL, 'public', { min: 0, max: 1 });
  try {
    logger.info({ applied: await migrateToLatest(db) }, 'migrated');
  } finally {
    await db.destroy();
  }
  process.exit(0);
});
