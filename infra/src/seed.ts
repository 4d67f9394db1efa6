// Demo accounts of local runs (never in production): first, second, third and admin @mail.ru, password qwerty123.
import { createKnex } from '@chat/kit';

export const DEMO_PASSWORD = 'qwerty123';
export const demoUsers = [
  { email: 'first@mail.ru', displayName: 'First', isAdmin: false },
  { email: 'second@mail.ru', displayName: 'Second', isAdmin: false },
  { email: 'third@mail.ru', displayName: 'Third', isAdmin: false },
  { email: 'admin@mail.ru', displayName: 'Admin', isAdmin: true },
];

export async function seedDemoUsers(databaseUrl: string): Promise<void> {
  const { ensureUser } = await import('@chat/auth/seed');
  const db = createKnex(databaseUrl, 'auth', { min: 0, max: 1 });
  try {
    for (const user of demoUsers) await ensureUser(db, { ...user, password: DEMO_PASSWORD });
  } finally {
    await db.destroy();
  }
}
