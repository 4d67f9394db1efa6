// Demo accounts of local runs (DEMO_USERS=true; production refuses it): first, second, third and admin @mail.ru,
// password qwerty123.
import type { Knex } from '@chat/kit';
import { ensureUser } from './ensureUser.ts';

const DEMO_PASSWORD = 'qwerty123';
const demoUsers = [
  { email: 'first@mail.ru', displayName: 'First', isAdmin: false },
  { email: 'second@mail.ru', displayName: 'Second', isAdmin: false },
  { email: 'third@mail.ru', displayName: 'Third', isAdmin: false },
  { email: 'admin@mail.ru', displayName: 'Admin', isAdmin: true },
];

/** Creates the demo accounts that are missing; never changes existing ones. */
export async function ensureDemoUsers(db: Knex): Promise<void> {
  for (const user of demoUsers) await ensureUser(db, { ...user, password: DEMO_PASSWORD });
}
