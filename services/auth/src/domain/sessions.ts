// Access tokens (ES256 JWT, short) and refresh tokens (opaque, stored hashed, rotated; a reused one ends its family).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, Unauthorized, type Knex } from '@chat/kit';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from '../config.ts';
import { insertRefreshToken, lockRefreshToken, markUsed, revokeFamily } from '../db/refreshTokens.ts';
import { findUserById, type UserRow } from '../db/users.ts';

export type SessionDeps = {
  db: Knex;
  config: Pick<AuthConfig, 'privateKey' | 'ACCESS_TOKEN_TTL_SECONDS' | 'REFRESH_TOKEN_TTL_DAYS'>;
};
export type Session = { accessToken: string; refreshToken: string };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function signAccessToken(config: SessionDeps['config'], user: UserRow): string {
  return jwt.sign({ name: user.display_name, adm: user.is_admin }, config.privateKey, {
    algorithm: TOKEN_ALGORITHM,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    subject: user.id,
    expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
  });
}

async function issueRefreshToken(db: Knex, config: SessionDeps['config'], userId: string, familyId: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await insertRefreshToken(db, { familyId, userId, tokenHash: hashToken(token), expiresAt });
  return token;
}

/** A new session (a new token family) for a user who just proved who they are. */
export async function startSession({ db, config }: SessionDeps, user: UserRow): Promise<Session> {
  const refreshToken = await issueRefreshToken(db, config, user.id, randomUUID());
  return { accessToken: signAccessToken(config, user), refreshToken };
}

/**
 * Trades a refresh token for a new pair. A token presented a second time means it was stolen or leaked:
 * its whole family is revoked and the caller must log in again.
 */
export async function rotateSession({ db, config }: SessionDeps, presented: string | undefined): Promise<Session> {
  if (!presented) throw new Unauthorized('No refresh token');
  const outcome = await db.transaction(async (trx) => {
    const row = await lockRefreshToken(trx, hashToken(presented));
    if (!row) return { error: 'unknown' as const };
    if (row.revoked_at || row.expires_at < new Date()) return { error: 'ended' as const };
    if (row.used_at) {
      await revokeFamily(trx, row.family_id);
      return { error: 'reused' as const };
    }
    const user = await findUserById(trx, row.user_id);
    if (!user?.is_active) return { error: 'inactive' as const };
    await markUsed(trx, row.id);
    const refreshToken = await issueRefreshToken(trx, config, user.id, row.family_id);
    return { session: { accessToken: signAccessToken(config, user), refreshToken } };
  });
  if ('error' in outcome) throw new Unauthorized('The session has ended; log in again');
  return outcome.session;
}

/** Logout: the token's family ends. */
export async function endSession(db: Knex, presented: string | undefined): Promise<void> {
  if (!presented) return;
  const row = await db('refresh_tokens')
    .where({ token_hash: hashToken(presented) })
    .first();
  if (row) await revokeFamily(db, row.family_id);
}
