// Sessions: one login on one device. A session is a family of refresh tokens (opaque, stored hashed, rotated; a
// reused one ends its family); its access tokens (ES256 JWT, short) carry its id as `sid`. Ending sessions revokes
// their families and tells every service (see kit's sessions.ts), which then refuses their access tokens.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  endSessions,
  type Knex,
  NotFound,
  type Redis,
  type SessionEndReason,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  Unauthorized,
} from '@chat/kit';
import jwt from 'jsonwebtoken';
import type { AuthConfig } from '../config.ts';
import {
  insertRefreshToken,
  lockRefreshToken,
  markUsed,
  ownerOfFamily,
  revokeAllOfUser,
  revokeFamily,
  sessionsOfUser,
} from '../db/refreshTokens.ts';
import { findUserById, type UserRow } from '../db/users.ts';

export type SessionDeps = {
  db: Knex;
  redis: Redis;
  config: Pick<AuthConfig, 'privateKey' | 'ACCESS_TOKEN_TTL_SECONDS' | 'REFRESH_TOKEN_TTL_DAYS' | 'REDIS_PREFIX'>;
};
export type Session = { accessToken: string; refreshToken: string };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function signAccessToken(config: SessionDeps['config'], user: UserRow, sessionId: string): string {
  return jwt.sign({ name: user.display_name, adm: user.is_admin, sid: sessionId }, config.privateKey, {
    algorithm: TOKEN_ALGORITHM,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    subject: user.id,
    expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
  });
}

async function issueRefreshToken(
  db: Knex,
  config: SessionDeps['config'],
  userId: string,
  familyId: string,
  userAgent?: string,
) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await insertRefreshToken(db, { familyId, userId, tokenHash: hashToken(token), expiresAt, userAgent });
  return token;
}

/** A new session (a new token family) for a user who just proved who they are. */
export async function startSession(
  { db, config }: Pick<SessionDeps, 'db' | 'config'>,
  user: UserRow,
  userAgent?: string,
): Promise<Session> {
  const sessionId = randomUUID();
  const refreshToken = await issueRefreshToken(db, config, user.id, sessionId, userAgent);
  return { accessToken: signAccessToken(config, user, sessionId), refreshToken };
}

/**
 * Trades a refresh token for a new pair. A token presented a second time means it was stolen or leaked:
 * its whole family is revoked and the caller must log in again.
 */
export async function rotateSession(
  { db, config }: Pick<SessionDeps, 'db' | 'config'>,
  presented: string | undefined,
  userAgent?: string,
): Promise<Session> {
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
    const refreshToken = await issueRefreshToken(trx, config, user.id, row.family_id, userAgent ?? undefined);
    return { session: { accessToken: signAccessToken(config, user, row.family_id), refreshToken } };
  });
  if ('error' in outcome) throw new Unauthorized('The session has ended; log in again');
  return outcome.session;
}

/** Ends the given sessions of a user: refresh tokens revoked, access tokens refused everywhere, sockets cut off. */
async function end({ redis, config }: SessionDeps, userId: string, sessionIds: string[], reason: SessionEndReason) {
  await endSessions(
    redis,
    config.REDIS_PREFIX,
    sessionIds.map((sessionId) => ({ sessionId, userId, reason })),
  );
}

/** Logout: the session of the presented refresh token ends. */
export async function endSession(deps: SessionDeps, presented: string | undefined): Promise<void> {
  if (!presented) return;
  const row = await deps
    .db('refresh_tokens')
    .where({ token_hash: hashToken(presented) })
    .first();
  if (!row) return;
  await revokeFamily(deps.db, row.family_id);
  await end(deps, row.user_id, [row.family_id], 'logout');
}

/** Every session of the user ends but `keep` (the one that changed the password goes on). */
export async function endSessionsOfUser(
  deps: SessionDeps,
  userId: string,
  reason: 'password_changed' | 'deactivated',
  keep?: string,
): Promise<void> {
  const ended = await revokeAllOfUser(deps.db, userId, keep);
  await end(deps, userId, ended, reason);
}

/** Revoked by its user from the list of sessions; another user's session is not found. */
export async function revokeSession(deps: SessionDeps, userId: string, sessionId: string): Promise<void> {
  if ((await ownerOfFamily(deps.db, sessionId)) !== userId) throw new NotFound('No such session');
  await revokeFamily(deps.db, sessionId);
  await end(deps, userId, [sessionId], 'revoked');
}

export async function listSessions({ db }: Pick<SessionDeps, 'db'>, userId: string, currentId: string) {
  const rows = await sessionsOfUser(db, userId);
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    lastUsedAt: new Date(r.last_used_at).toISOString(),
    userAgent: r.user_agent,
    current: r.id === currentId,
  }));
}
