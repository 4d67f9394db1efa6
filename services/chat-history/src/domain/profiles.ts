// Display names kept in chat.profiles for member lists; written only when a name is new or changed.
import { BadRequest, type Knex } from '@chat/kit';
import type { UserDirectory } from '../directory.ts';
import { type Profile, upsertProfiles } from '../db/profiles.ts';

const MAX_REMEMBERED = 50_000;

export type ProfileKeeper = { remember(profiles: Profile[]): Promise<void> };

export function createProfileKeeper(db: Knex): ProfileKeeper {
  const known = new Map<string, string>();
  return {
    async remember(profiles) {
      const changed = profiles.filter((p) => p.displayName && known.get(p.userId) !== p.displayName);
      if (changed.length === 0) return;
      await upsertProfiles(db, changed);
      if (known.size + changed.length > MAX_REMEMBERED) known.clear();
      for (const p of changed) known.set(p.userId, p.displayName);
    },
  };
}

export type ResolveUsersProps = {
  directory: UserDirectory;
  profiles: ProfileKeeper;
  /** Lower-cased user ids, no repeats. */
  userIds: string[];
  /** The request field the ids came from, named in the error. */
  field: string;
  requestId?: string;
};

/** Checks with the auth directory that every id is an active user, and keeps their display names. */
export async function resolveUsers({ directory, profiles, userIds, field, requestId }: ResolveUsersProps) {
  if (userIds.length === 0) return;
  const found = await directory.lookup(userIds, requestId);
  const active = new Map(found.filter((u) => u.isActive).map((u) => [u.id.toLowerCase(), u.displayName]));
  const missing = userIds.filter((id) => !active.has(id));
  if (missing.length > 0) {
    throw new BadRequest(
      `Unknown or inactive user: ${missing.join(', ')}`,
      missing.map((id) => ({ path: field, message: `no active user ${id}` })),
    );
  }
  await profiles.remember(userIds.map((userId) => ({ userId, displayName: active.get(userId) ?? '' })));
}
