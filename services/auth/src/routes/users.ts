// User search, admin user management, and the internal directory other services ask.
import { BadRequest, Forbidden, NotFound, parseInput, requireInternal, uuidParam } from '@chat/kit';
import { adminUpdateUserRequest, userSearchQuery } from '@chat/kit/contract';
import { Router } from 'express';
import { listUsers, searchUsers, toUser, updateUser, usersByIds } from '../db/users.ts';
import { endSessionsOfUser } from '../domain/sessions.ts';
import { userOf } from '../passport.ts';
import type { AuthDeps } from './deps.ts';

export function userRoutes(deps: AuthDeps): Router {
  const { db, config, bearer } = deps;
  const router = Router();

  router.get('/api/users', ...bearer, async (req, res) => {
    const { query, limit } = parseInput(userSearchQuery, req.query);
    const users = await searchUsers(db, query, limit);
    res.json({ users: users.map((u) => ({ id: u.id, displayName: u.display_name })) });
  });

  router.use('/api/admin', ...bearer, (_req, res, next) => {
    next(userOf(res).is_admin ? undefined : new Forbidden('Only administrators may do this'));
  });

  router.get('/api/admin/users', async (_req, res) => {
    res.json({ users: (await listUsers(db)).map(toUser) });
  });

  router.patch('/api/admin/users/:id', async (req, res) => {
    const id = uuidParam(req.params.id, 'id');
    const patch = parseInput(adminUpdateUserRequest, req.body);
    if (id === userOf(res).id && (patch.isAdmin === false || patch.isActive === false)) {
      throw new BadRequest('Administrators cannot demote or deactivate themselves', [
        { path: 'id', message: 'is you' },
      ]);
    }
    const user = await updateUser(db, id, {
      ...(patch.isActive === undefined ? {} : { is_active: patch.isActive }),
      ...(patch.isAdmin === undefined ? {} : { is_admin: patch.isAdmin }),
    });
    if (!user) throw new NotFound('No such user');
    if (patch.isActive === false) await endSessionsOfUser(deps, id, 'deactivated');
    res.json(toUser(user));
  });

  router.get('/internal/users', requireInternal(config.INTERNAL_TOKEN), async (req, res) => {
    const ids = String(req.query.ids ?? '')
      .split(',')
      .filter(Boolean)
      .map((id) => uuidParam(id, 'ids'));
    if (ids.length > 500) throw new BadRequest('At most 500 ids', [{ path: 'ids', message: 'too many' }]);
    const users = ids.length ? await usersByIds(db, ids) : [];
    res.json({ users: users.map((u) => ({ id: u.id, displayName: u.display_name, isActive: u.is_active })) });
  });

  return router;
}
