// /api/auth: register, login, refresh, logout, the user's own profile and password, and their sessions.
import { BadRequest, Conflict, logOf, NotFound, parseInput, principalOf, Unauthorized } from '@chat/kit';
import { changePasswordRequest, loginRequest, registerRequest, updateProfileRequest } from '@chat/kit/contract';
import { type Request, type Response, Router } from 'express';
import { insertUser, toUser, updateUser, type UserRow } from '../db/users.ts';
import { hashPassword, passwordMatches } from '../domain/passwords.ts';
import {
  endSession,
  endSessionsOfUser,
  listSessions,
  revokeSession,
  rotateSession,
  type Session,
  startSession,
} from '../domain/sessions.ts';
import { authenticate, userOf } from '../passport.ts';
import type { AuthDeps } from './deps.ts';

export const REFRESH_COOKIE = 'refresh_token';
const COOKIE_PATH = '/api/auth';

export function sessionRoutes(deps: AuthDeps): Router {
  const { db, config, passport, limits } = deps;
  const router = Router();
  const jwt = deps.bearer;

  const setCookie = (res: Response, token: string) =>
    res.cookie(REFRESH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: config.cookieSecure,
      path: COOKIE_PATH,
      maxAge: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
    });
  const answer = (res: Response, status: number, user: UserRow, session: Session) => {
    setCookie(res, session.refreshToken);
    res.status(status).json({ user: toUser(user), accessToken: session.accessToken });
  };
  const ipOf = (req: Request) => req.ip ?? 'unknown';

  router.post('/api/auth/register', async (req, res) => {
    const perIp = {
      key: `register:ip:${ipOf(req)}`,
      max: config.REGISTER_LIMIT_PER_IP,
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    };
    const input = parseInput(registerRequest, req.body);
    await limits.take([perIp]);
    const user = await insertUser(db, { ...input, passwordHash: await hashPassword(input.password) });
    if (!user) throw new Conflict('An account with this e-mail already exists');
    answer(res, 201, user, await startSession(deps, user, req.get('user-agent')));
  });

  const loginGuard = async (req: Request, res: Response, next: (err?: unknown) => void) => {
    const input = parseInput(loginRequest, req.body);
    req.body = input;
    const window = config.RATE_LIMIT_WINDOW_SECONDS;
    const attempts = [
      { key: `login:ip:${ipOf(req)}`, max: config.LOGIN_LIMIT_PER_IP, windowSeconds: window },
      { key: `login:email:${input.email}`, max: config.LOGIN_LIMIT_PER_EMAIL, windowSeconds: window },
    ];
    await limits.beginLogin(attempts, input.email, config.loginPace);
    authenticate(passport, 'local', 'Wrong e-mail or password')(req, res, async (err?: unknown) => {
      // only a wrong guess stays counted
      if (!(err instanceof Unauthorized)) {
        await limits
          .endLogin(attempts, input.email)
          .catch((failure: Error) => logOf(res).warn({ err: failure.message }, 'login attempt not uncounted'));
      }
      next(err);
    });
  };
  router.post('/api/auth/login', loginGuard, async (req, res) => {
    const user = userOf(res);
    answer(res, 200, user, await startSession(deps, user, req.get('user-agent')));
  });

  router.post('/api/auth/refresh', async (req, res) => {
    const session = await rotateSession(deps, req.cookies?.[REFRESH_COOKIE], req.get('user-agent')).catch((err) => {
      res.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
      throw err;
    });
    setCookie(res, session.refreshToken);
    res.json({ accessToken: session.accessToken });
  });

  router.post('/api/auth/logout', async (req, res) => {
    await endSession(deps, req.cookies?.[REFRESH_COOKIE]);
    res.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
    res.status(204).end();
  });

  router.get('/api/auth/me', ...jwt, (_req, res) => {
    res.json(toUser(userOf(res)));
  });

  router.patch('/api/auth/me', ...jwt, async (req, res) => {
    const { displayName } = parseInput(updateProfileRequest, req.body);
    const user =
      displayName === undefined ? userOf(res) : await updateUser(db, userOf(res).id, { display_name: displayName });
    res.json(toUser(user as UserRow));
  });

  router.post('/api/auth/password', ...jwt, async (req, res) => {
    const { currentPassword, newPassword } = parseInput(changePasswordRequest, req.body);
    const user = userOf(res);
    if (!(await passwordMatches(user.password_hash, currentPassword))) {
      throw new BadRequest('The current password is wrong', [{ path: 'currentPassword', message: 'is wrong' }]);
    }
    await updateUser(db, user.id, { password_hash: await hashPassword(newPassword) });
    // every other session of the user ends at once; this one, which just proved the password, goes on
    await endSessionsOfUser(deps, user.id, 'password_changed', principalOf(res).sessionId);
    res.status(204).end();
  });

  router.get('/api/auth/sessions', ...jwt, async (_req, res) => {
    res.json({ sessions: await listSessions(deps, userOf(res).id, principalOf(res).sessionId) });
  });

  router.delete('/api/auth/sessions/:id', ...jwt, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      throw new NotFound('No such session');
    await revokeSession(deps, userOf(res).id, id.toLowerCase());
    res.status(204).end();
  });

  return router;
}
