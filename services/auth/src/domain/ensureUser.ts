// Creates a user unless the e-mail exists (demo data, first admin); never changes an existing one.
import type { Knex } from '@chat/kit';
import { findUserByEmail, insertUser, type UserRow } from '../db/users.ts';
import { hashPassword } from './passwords.ts';

export type EnsureUserProps = {
  /** Stored lower-cased. */
  email: string;
  password: string;
  displayName: string;
  isAdmin?: boolean;
};

/** `db` is a knex on the auth schema. */
export async function ensureUser(db: Knex, props: EnsureUserProps): Promise<UserRow> {
  const existing = await findUserByEmail(db, props.email);
  if (existing) return existing;
  const inserted = await insertUser(db, { ...props, passwordHash: await hashPassword(props.password) });
  return inserted ?? ((await findUserByEmail(db, props.email)) as UserRow);
}
