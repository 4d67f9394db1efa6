// The auth schema's migrations, in order (no file globbing at run time).
import type { SchemaMigrations } from '@chat/kit';
import * as users from '../../migrations/001_users.ts';
import * as search from '../../migrations/002_search.ts';
import * as sessions from '../../migrations/003_sessions.ts';

export const authMigrations: SchemaMigrations = {
  schema: 'auth',
  migrations: { '001_users': users, '002_search': search, '003_sessions': sessions },
  formerNames: { '001_auth_users': '001_users', '005_search': '002_search', '007_auth_sessions': '003_sessions' },
};
