// Passport strategies: e-mail + password for login, bearer JWT (verified with the public key) for everything else.
import { TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, Unauthorized, type Knex } from '@chat/kit';
import type { RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { Strategy as LocalStrategy } from 'passport-local';
import { findUserByEmail, findUserById, type UserRow } from './db/users.ts';
import { decoyHash, passwordMatches } from './domain/passwords.ts';

export function createPassport(db: Knex, publicKey: string) {
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
  passport.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: publicKey,
        algorithms: [TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      },
      (claims: { sub?: string }, done: (err: unknown, user?: UserRow | false) => void) => {
        findUserById(db, claims.sub ?? '00000000-0000-0000-0000-000000000000')
          .then((user) => done(null, user?.is_active ? user : false))
          .catch(done);
      },
    ),
  );
  return passport;
}

export type AuthPassport = ReturnType<typeof createPassport>;

/** Express middleware running a strategy; failure is a 401 problem, the user lands in res.locals.user. */
export function authenticate(passport: AuthPassport, strategy: 'local' | 'jwt', message: string): RequestHandler {
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
