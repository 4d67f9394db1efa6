import { foldForSearch, type Knex } from '@chat/kit';
import type { User } from '@chat/kit/contract';

export type UserRow = {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  is_admin: boolean;
  is_active: boolean;
  created_at: Date;
  /** The folded name and e-mail user search matches. */
  search_key?: string;
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
      search_key: searchKeyOf(user.displayName, user.email),
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
  const name = patch.display_name;
  const [row] = await db<UserRow>('users')
    .where({ id })
    .update({
      ...patch,
      // the e-mail never changes; the key follows the name
      ...(name === undefined ? {} : { search_key: db.raw(`? || ' ' || email`, [foldForSearch(name)]) }),
      updated_at: db.fn.now(),
    } as never)
    .returning('*');
  return row;
}

/** What user search matches: the name and the e-mail, folded the same way as every query. */
const searchKeyOf = (displayName: string, email: string) => foldForSearch(`${displayName} ${email.toLowerCase()}`);

/**
 * Active users whose name contains the query, in any case and with ё and е alike, whatever the server's locale (both
 * sides are folded in the application and compared byte for byte), or whose e-mail is the query: a part of an e-mail
 * finds nobody, so the search cannot spell out anyone's address.
 */
export async function searchUsers(db: Knex, query: string, limit: number): Promise<UserRow[]> {
  const q = foldForSearch(query).replace(/[\\%_]/g, (c) => `\\${c}`);
  // the key is the folded name, a space, then the e-mail
  return db<UserRow>('users')
    .where({ is_active: true })
    .andWhere((match) =>
      match
        .whereRaw('left(search_key, length(search_key) - length(email) - 1) like ?', [`%${q}%`])
        .orWhere({ email: query.trim().toLowerCase() }),
    )
    .orderBy('display_name')
    .limit(limit);
}

export const listUsers = (db: Knex) => db<UserRow>('users').orderBy('created_at');

export const usersByIds = (db: Knex, ids: string[]) => db<UserRow>('users').whereIn('id', ids);
