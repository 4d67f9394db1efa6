// Access-token verification with the auth service's public key; signing stays in the auth service.
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { Unauthorized } from './errors.ts';

export const TOKEN_ISSUER = 'chat-auth';
export const TOKEN_AUDIENCE = 'chat';
export const TOKEN_ALGORITHM = 'ES256';

export type Principal = {
  userId: string;
  displayName: string;
  isAdmin: boolean;
  /** The session (one login on one device) the token belongs to. */
  sessionId: string;
  /** Epoch ms. */
  expiresAt: number;
};

export type TokenVerifier = (token: string) => Principal;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one check of access tokens, in every service: signed by the auth service, for us, not expired (a token without
 * `exp` would never expire, so it is refused), a user id and a session id that are UUIDs, and a session that has not
 * ended (`ended`, fed by the auth service through Redis).
 */
export function createTokenVerifier(publicKeyPem: string, ended?: { has(sessionId: string): boolean }): TokenVerifier {
  return (token) => {
    try {
      const claims = jwt.verify(token, publicKeyPem, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      }) as jwt.JwtPayload;
      if (typeof claims.exp !== 'number') throw new Error('no expiry');
      if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) throw new Error('no user id');
      if (typeof claims.sid !== 'string' || !UUID.test(claims.sid)) throw new Error('no session id');
      if (ended?.has(claims.sid)) throw new Error('session ended');
      return {
        userId: claims.sub.toLowerCase(),
        displayName: typeof claims.name === 'string' ? claims.name : '',
        isAdmin: claims.adm === true,
        sessionId: claims.sid,
        expiresAt: claims.exp * 1000,
      };
    } catch {
      throw new Unauthorized('The access token is missing, invalid or expired');
    }
  };
}

/** Express middleware: requires `Authorization: Bearer <token>` and puts the principal in `res.locals.principal`. */
export function requireBearer(verify: TokenVerifier) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Bearer' || !token) return next(new Unauthorized('The access token is missing, invalid or expired'));
    try {
      res.locals.principal = verify(token);
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Unauthorized();
  return principal;
}
