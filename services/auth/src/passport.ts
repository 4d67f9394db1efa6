// Passport's e-mail + password strategy for login; every other route takes a bearer access token, checked by the one
// verifier every service uses (kit's tokens.ts: signature, expiry, ids, ended sessions), and an active user.
import { type Knex, type Principal, requireBearer, type TokenVerifier, Unauthorized } from '@chat/kit';
import type { RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { findUserByEmail, findUserById, type UserRow } from './db/users.ts';
import { decoyHash, passwordMatches } from './domain/passwords.ts';

export function createPassport(db: Knex) {
  const passport = new Passport();
  passport.use(
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password', session: false },
      (email, password, done) => {
        (async () => {
          const user = await findUserByEmail(db, email);
          const matches = await passwordMatches(user?.password_hash ?? (await decoyHash), password);
          return user && matches && user.is_active ? user : false;
        })().then((user) => done(null, user), done);
      },
    ),
  );
  return passport;
}

export type AuthPassport = ReturnType<typeof createPassport>;

/** Express middleware running a strategy; failure is a 401 problem, the user lands in res.locals.user. */
export function authenticate(passport: AuthPassport, strategy: 'local', message: string): RequestHandler {
  return (req, res, next) => {
    const callback = (err: unknown, user: UserRow | false) => {
      if (err) return next(err);
      if (!user) return next(new Unauthorized(message));
      res.locals.user = user;
      next();
    };
    passport.authenticate(strategy, { session: false }, callback)(req, res, next);
  };
}

export const userOf = (res: Response): UserRow => res.locals.user as UserRow;

/** A bearer access token of an active user: the user lands in res.locals.user, the token's principal beside it. */
export function bearerUser(db: Knex, verify: TokenVerifier): RequestHandler[] {
  return [
    requireBearer(verify),
    (_req, res, next) => {
      const principal = res.locals.principal as Principal;
      findUserById(db, principal.userId)
        .then((user) => {
          if (!user?.is_active) return next(new Unauthorized('The access token is missing, invalid or expired'));
          res.locals.user = user;
          next();
        })
        .catch(next);
    },
  ];
}
