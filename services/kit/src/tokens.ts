// Access-token verification with the auth service's public key; signing stays in the auth service.
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { Unauthorized } from './errors.ts';

export const TOKEN_ISSUER = 'chat-auth';
export const TOKEN_AUDIENCE = 'chat';
export const TOKEN_ALGORITHM = 'ES256';

export type Principal = { userId: string; displayName: string; isAdmin: boolean; expiresAt: number };

export type TokenVerifier = (token: string) => Principal;

export function createTokenVerifier(publicKeyPem: string): TokenVerifier {
  return (token) => {
    try {
      const claims = jwt.verify(token, publicKeyPem, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      }) as jwt.JwtPayload;
      if (typeof claims.sub !== 'string') throw new Error('no subject');
      return {
        userId: claims.sub,
        displayName: typeof claims.name === 'string' ? claims.name : '',
        isAdmin: claims.adm === true,
        expiresAt: (claims.exp ?? 0) * 1000,
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
