import type { Knex } from '@chat/kit';

export type RefreshTokenRow = {
  id: string;
  family_id: string;
  user_id: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  user_agent: string | null;
};

export async function insertRefreshToken(
  db: Knex,
  token: { familyId: string; userId: string; tokenHash: string; expiresAt: Date; userAgent?: string },
) {
  await db('refresh_tokens').insert({
    family_id: token.familyId,
    user_id: token.userId,
    token_hash: token.tokenHash,
    expires_at: token.expiresAt,
    user_agent: token.userAgent?.slice(0, 300) ?? null,
  });
}

/** Locks the token's row for the rotation that follows. */
export const lockRefreshToken = (trx: Knex.Transaction, tokenHash: string) =>
  trx<RefreshTokenRow>('refresh_tokens').where({ token_hash: tokenHash }).forUpdate().first();

export const markUsed = (db: Knex, id: string) => db('refresh_tokens').where({ id }).update({ used_at: db.fn.now() });

/** Ends families (sessions); the ids of those that were still going. */
async function revokeWhere(db: Knex, where: (q: Knex.QueryBuilder) => void): Promise<string[]> {
  const rows: { family_id: string }[] = await db('refresh_tokens')
    .modify(where)
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() }, ['family_id']);
  return [...new Set(rows.map((r) => r.family_id))];
}

export const revokeFamily = (db: Knex, familyId: string) => revokeWhere(db, (q) => q.where({ family_id: familyId }));

export const revokeAllOfUser = (db: Knex, userId: string, except?: string) =>
  revokeWhere(db, (q) => {
    q.where({ user_id: userId });
    if (except) q.whereNot({ family_id: except });
  });

export type SessionRow = { id: string; created_at: Date; last_used_at: Date; user_agent: string | null };

/** A user's sessions still going: families whose newest token is neither used, revoked nor expired. */
export const sessionsOfUser = (db: Knex, userId: string): Promise<SessionRow[]> =>
  db('refresh_tokens as t')
    .where('t.user_id', userId)
    .groupBy('t.family_id')
    .havingRaw('bool_or(t.used_at is null and t.revoked_at is null and t.expires_at > now())')
    .select(
      't.family_id as id',
      db.raw('min(t.created_at) as created_at'),
      db.raw('max(t.created_at) as last_used_at'),
      db.raw('(array_agg(t.user_agent order by t.created_at desc))[1] as user_agent'),
    )
    .orderBy('last_used_at', 'desc');

/** The family's user, when the family exists. */
export const ownerOfFamily = async (db: Knex, familyId: string): Promise<string | undefined> =>
  (await db('refresh_tokens').where({ family_id: familyId }).first<{ user_id: string } | undefined>('user_id'))
    ?.user_id;
