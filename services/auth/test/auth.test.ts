import { randomUUID } from 'node:crypto';
import type { User } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@chat/infra/testing';
import { ensureUser } from '../src/domain/ensureUser.ts';
import { INTERNAL_TOKEN, newEmail, startAuth } from './support.ts';

type Auth = Awaited<ReturnType<typeof startAuth>>;
type Session = { user: User; accessToken: string };
let auth: Auth;

beforeAll(async () => {
  auth = await startAuth();
});
afterAll(async () => {
  await auth?.stop();
});

async function registered(displayName = 'Someone') {
  const client = auth.client();
  const email = newEmail();
  const res = await client<Session>('/api/auth/register', {
    method: 'POST',
    body: { email, password: 'correct horse', displayName },
  });
  expect(res.status).toBe(201);
  return { client, email, ...res.body };
}

describe('registration and login', () => {
  it('registers, logs in, and knows who the token belongs to', async () => {
    const { client, email, user, accessToken } = await registered('Ann');
    expect(user).toMatchObject({ email, displayName: 'Ann', isAdmin: false });
    expect(client.cookie()).toMatch(/^refresh_token=/);
    const me = await client<User>('/api/auth/me', { token: accessToken });
    expect(me.body.id).toBe(user.id);
    const login = await auth.client()<Session>('/api/auth/login', {
      method: 'POST',
      body: { email: email.toUpperCase(), password: 'correct horse' },
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(login.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
    expect(login.headers.get('set-cookie')).toMatch(/Path=\/api\/auth/);
    const row = await auth.db('users').where({ id: user.id }).first();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('answers a taken e-mail with 409 and bad fields with 400 naming each', async () => {
    const { email } = await registered();
    const taken = await auth.client()('/api/auth/register', {
      method: 'POST',
      body: { email, password: 'whatever long', displayName: 'X' },
    });
    expect(taken.status).toBe(409);
    expect(taken.headers.get('content-type')).toContain('application/problem+json');
    expect(taken.body).toMatchObject({ code: 'conflict', status: 409, type: 'about:blank' });
    const bad = await auth.client()<{ errors: { path: string }[] }>('/api/auth/register', {
      method: 'POST',
      body: { email: 'x', password: '1', displayName: ' ' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual(['displayName', 'email', 'password']);
  });

  it('gives the same 401 for a wrong password and an unknown e-mail', async () => {
    const { email } = await registered();
    const wrong = await auth.client()('/api/auth/login', { method: 'POST', body: { email, password: 'nope nope' } });
    const unknown = await auth.client()('/api/auth/login', {
      method: 'POST',
      body: { email: newEmail(), password: 'nope nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect({ ...wrong.body, detail: undefined }).toEqual({ ...unknown.body, detail: undefined });
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('refuses a missing, forged or expired bearer token with 401', async () => {
    expect((await auth.client()('/api/auth/me')).status).toBe(401);
    expect((await auth.client()('/api/auth/me', { token: 'abc.def.ghi' })).status).toBe(401);
    const expiring = await startAuth({ ACCESS_TOKEN_TTL_SECONDS: '1' });
    try {
      const client = expiring.client();
      const res = await client<Session>('/api/auth/register', {
        method: 'POST',
        body: { email: newEmail(), password: 'correct horse', displayName: 'E' },
      });
      const token = res.body.accessToken;
      const exp = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, exp - Date.now() + 1_100)));
      expect((await client('/api/auth/me', { token })).status).toBe(401);
    } finally {
      await expiring.stop();
    }
  });
});

describe('refresh tokens', () => {
  it('rotates on every refresh, and a reused old token ends the whole family', async () => {
    const { client } = await registered();
    const first = client.cookie();
    const refreshed = await client<{ accessToken: string }>('/api/auth/refresh', { method: 'POST' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.accessToken).toBeTruthy();
    const second = client.cookie();
    expect(second).not.toBe(first);

    const thief = auth.client();
    thief.setCookie(first);
    expect((await thief('/api/auth/refresh', { method: 'POST' })).status).toBe(401);
    // the family is revoked: the legitimate newer token is refused too
    expect((await client('/api/auth/refresh', { method: 'POST' })).status).toBe(401);
  });

  it('ends the session on logout', async () => {
    const { client } = await registered();
    const cookie = client.cookie();
    expect((await client('/api/auth/logout', { method: 'POST' })).status).toBe(204);
    client.setCookie(cookie);
    expect((await client('/api/auth/refresh', { method: 'POST' })).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('answers too many failed logins with 429 and Retry-After, per e-mail', async () => {
    const limited = await startAuth({ LOGIN_LIMIT_PER_EMAIL: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    try {
      const email = newEmail();
      const attempt = () =>
        limited.client()('/api/auth/login', { method: 'POST', body: { email, password: 'wrong pass' } });
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
      const refused = await attempt();
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it('limits registrations per IP', async () => {
    const limited = await startAuth({ REGISTER_LIMIT_PER_IP: '2' });
    try {
      const register = () =>
        limited.client()('/api/auth/register', {
          method: 'POST',
          body: { email: newEmail(), password: 'correct horse', displayName: 'R' },
        });
      expect((await register()).status).toBe(201);
      expect((await register()).status).toBe(201);
      expect((await register()).status).toBe(429);
    } finally {
      await limited.stop();
    }
  });
});

describe('profile, search and administration', () => {
  it('changes the display name and the password, ending other sessions', async () => {
    const { client, email, accessToken } = await registered('Old');
    const elsewhere = auth.client();
    const other = await elsewhere<{ accessToken: string }>('/api/auth/login', {
      method: 'POST',
      body: { email, password: 'correct horse' },
    });
    const renamed = await client<User>('/api/auth/me', {
      method: 'PATCH',
      token: accessToken,
      body: { displayName: 'New' },
    });
    expect(renamed.body.displayName).toBe('New');
    const wrong = await client('/api/auth/password', {
      method: 'POST',
      token: accessToken,
      body: { currentPassword: 'not it', newPassword: 'brand new pass' },
    });
    expect(wrong.status).toBe(400);
    const changed = await client('/api/auth/password', {
      method: 'POST',
      token: accessToken,
      body: { currentPassword: 'correct horse', newPassword: 'brand new pass' },
    });
    expect(changed.status).toBe(204);
    // the other session ends at once, its access token too; this one, which just proved the password, goes on
    expect((await elsewhere('/api/auth/refresh', { method: 'POST' })).status).toBe(401);
    await until(async () => (await elsewhere('/api/auth/me', { token: other.body.accessToken })).status === 401, 2_000);
    expect((await client('/api/auth/me', { token: accessToken })).status).toBe(200);
    expect((await client('/api/auth/refresh', { method: 'POST' })).status).toBe(200);
    const relogin = await auth.client()('/api/auth/login', {
      method: 'POST',
      body: { email, password: 'brand new pass' },
    });
    expect(relogin.status).toBe(200);
  });

  it('finds users by display name or whole e-mail, showing only their id and name', async () => {
    const { accessToken } = await registered('Searcher');
    const target = await registered(`Zed ${randomUUID().slice(0, 6)}`);
    const find = (query: string) =>
      auth.client()<{ users: Record<string, unknown>[] }>(`/api/users?query=${encodeURIComponent(query)}`, {
        token: accessToken,
      });
    const byName = await find(target.user.displayName.slice(0, 7).toLowerCase());
    expect(byName.body.users).toContainEqual({ id: target.user.id, displayName: target.user.displayName });
    for (const found of byName.body.users) expect(Object.keys(found).sort()).toEqual(['displayName', 'id']);
    expect((await find(target.email.toUpperCase())).body.users).toEqual([
      { id: target.user.id, displayName: target.user.displayName },
    ]);
    expect((await find(target.email.slice(0, 12))).body.users).toEqual([]);
    const tooShort = await find('z');
    expect(tooShort.status).toBe(400);
    expect(tooShort.body).toMatchObject({ code: 'bad_request', errors: [{ path: 'query' }] });
  });

  it('keeps the admin API for admins, and deactivation ends login and refresh', async () => {
    const adminEmail = newEmail();
    await ensureUser(auth.db, { email: adminEmail, password: 'admin password', displayName: 'Admin', isAdmin: true });
    const admin = await auth.client()<Session>('/api/auth/login', {
      method: 'POST',
      body: { email: adminEmail, password: 'admin password' },
    });
    const victim = await registered('Victim');
    expect((await victim.client('/api/admin/users', { token: victim.accessToken })).status).toBe(403);
    const token = admin.body.accessToken;
    const list = await auth.client()<{ users: User[] }>('/api/admin/users', { token });
    expect(list.body.users.map((u) => u.id)).toContain(victim.user.id);
    expect((await auth.client()(`/api/admin/users/${randomUUID()}`, { method: 'PATCH', token, body: {} })).status).toBe(
      404,
    );
    expect((await auth.client()('/api/admin/users/nope', { method: 'PATCH', token, body: {} })).status).toBe(400);
    const off = await auth.client()<User>(`/api/admin/users/${victim.user.id}`, {
      method: 'PATCH',
      token,
      body: { isActive: false },
    });
    expect(off.body).toMatchObject({ isActive: false });
    expect((await victim.client('/api/auth/refresh', { method: 'POST' })).status).toBe(401);
    expect(
      (
        await auth.client()('/api/auth/login', {
          method: 'POST',
          body: { email: victim.email, password: 'correct horse' },
        })
      ).status,
    ).toBe(401);
    expect((await victim.client('/api/auth/me', { token: victim.accessToken })).status).toBe(401);
  });

  it('answers the internal directory only with the internal token', async () => {
    const { user } = await registered('Dir');
    const url = `/internal/users?ids=${user.id},${randomUUID()}`;
    expect((await auth.client()(url)).status).toBe(401);
    const res = await auth.client()(url, { headers: { 'x-internal-token': INTERNAL_TOKEN } });
    expect(res.body).toEqual({ users: [{ id: user.id, displayName: 'Dir', isActive: true }] });
  });
});
