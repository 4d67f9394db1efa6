import type { Knex } from '@chat/kit';
import type { User } from '@chat/kit/contract';

export type UserRow = {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  is_admin: boolean;
  is_active: boolean;
  created_at: Date;
};

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  displayName: row.display_name,
  isAdmin: row.is_admin,
  isActive: row.is_active,
  createdAt: row.created_at.toISOString(),
});

export const findUserByEmail = (db: Knex, email: string) =>
  db<UserRow>('users').where({ email: email.toLowerCase() }).first();

export const findUserById = (db: Knex, id: string) => db<UserRow>('users').where({ id }).first();

/** Inserts a user; undefined when the e-mail is taken. */
export async function insertUser(
  db: Knex,
  user: { email: string; passwordHash: string; displayName: string; isAdmin?: boolean },
): Promise<UserRow | undefined> {
  const [row] = await db<UserRow>('users')
    .insert({
      email: user.email.toLowerCase(),
      password_hash: user.passwordHash,
      display_name: user.displayName,
      is_admin: user.isAdmin ?? false,
    })
    .onConflict('email')
    .ignore()
    .returning('*');
  return row;
}

export async function updateUser(
  db: Knex,
  id: string,
  patch: Partial<Pick<UserRow, 'display_name' | 'password_hash' | 'is_admin' | 'is_active'>>,
): Promise<UserRow | undefined> {
  const [row] = await db<UserRow>('users')
    .where({ id })
    .update({ ...patch, updated_at: db.fn.now() } as never)
    .returning('*');
  return row;
}

export async function searchUsers(db: Knex, query: string, limit: number): Promise<UserRow[]> {
  const q = query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return db<UserRow>('users')
    .where({ is_active: true })
    .andWhere((w) => w.whereRaw('email like ?', [`${q}%`]).orWhereRaw('lower(display_name) like ?', [`%${q}%`]))
    .orderBy('display_name')
    .limit(limit);
}

export const listUsers = (db: Knex) => db<UserRow>('users').orderBy('created_at');

export const usersByIds = (db: Knex, ids: string[]) => db<UserRow>('users').whereIn('id', ids);
