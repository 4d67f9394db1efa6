// The migration job's environment.
import { common } from '@chat/kit';

export const migrateConfigShape = { DATABASE_URL: common.DATABASE_URL, LOG_LEVEL: common.LOG_LEVEL };
