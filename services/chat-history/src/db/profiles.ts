// SQL for display names as chat-history knows them (copied from tokens and the auth directory).
import type { Knex } from '@chat/kit';

export type Profile = { userId: string; displayName: string };

/** Inserts or renames; an unchanged name writes nothing. */
export async function upsertProfiles(db: Knex, profiles: Profile[]): Promise<void> {
  // one row per user: ON CONFLICT may not touch a row twice in one statement
  const rows = new Map(profiles.map((p) => [p.userId, { user_id: p.userId, display_name: p.displayName }]));
  if (rows.size === 0) return;
  await db('profiles')
    .insert([...rows.values()])
    .onConflict('user_id')
    .merge({ display_name: db.raw('excluded.display_name'), updated_at: db.fn.now() })
    .whereRaw('profiles.display_name is distinct from excluded.display_name');
}
