import type { Knex } from '@chat/kit';

export type RefreshTokenRow = {
  id: string;
  family_id: string;
  user_id: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
};

export async function insertRefreshToken(
  db: Knex,
  token: { familyId: string; userId: string; tokenHash: string; expiresAt: Date },
) {
  await db('refresh_tokens').insert({
    family_id: token.familyId,
    user_id: token.userId,
    token_hash: token.tokenHash,
    expires_at: token.expiresAt,
  });
}

/** Locks the token's row for the rotation that follows. */
export const lockRefreshToken = (trx: Knex.Transaction, tokenHash: string) =>
  trx<RefreshTokenRow>('refresh_tokens').where({ token_hash: tokenHash }).forUpdate().first();

export const markUsed = (db: Knex, id: string) => db('refresh_tokens').where({ id }).update({ used_at: db.fn.now() });

export const revokeFamily = (db: Knex, familyId: string) =>
  db('refresh_tokens').where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });

export const revokeAllOfUser = (db: Knex, userId: string) =>
  db('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
