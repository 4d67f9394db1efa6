// Sessions that end everywhere, through the gateway with every service a real process and two realtime nodes: within
// 2 s of logout, revoke, password change or deactivation, every service refuses the session's access token and every
// socket of it, on either node, is told why and disconnected; the user's other sessions go on.
import { randomUUID } from 'node:crypto';
import type { SessionEnd } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFor, type ChatSocket, connect, connectElsewhere, login, register } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;
let base: string;

beforeAll(async () => {
  system = await startSystem();
  base = system.baseUrl;
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

type Device = { token: string; cookie: string };

/** A login on a device of its own: its access token and its refresh cookie. */
async function device(email: string, password: string): Promise<Device> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': `device-${randomUUID().slice(0, 6)}` },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return { token: ((await res.json()) as { accessToken: string }).accessToken, cookie };
}

/** Resolves with what `session:ended` said, once the socket is also disconnected. */
function endOf(socket: ChatSocket): Promise<SessionEnd & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    socket.once('session:ended', (end) =>
      socket.once('disconnect', () => resolve({ ...end, ms: Date.now() - started })),
    );
  });
}

/** Ms until the token is refused by chat-history and auth (polled; it must happen within 2 s). */
async function refusedWithin(token: string, ms = 2_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    const [chats, me] = await Promise.all([apiFor(base, token)('/api/chats'), apiFor(base, token)('/api/auth/me')]);
    if (chats.status === 401 && me.status === 401) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`still accepted after ${ms} ms`);
}

async function account(name: string) {
  const client = await register(base, name);
  const email = client.user.email;
  return { client, email, password: 'correct horse battery' };
}

describe('sessions', () => {
  it('end on logout: the token is refused everywhere and its sockets on both nodes are cut off; other devices go on', async () => {
    const { email, password } = await account('Lou');
    const [phone, laptop] = [await device(email, password), await device(email, password)];
    const onOne = await connect(base, phone.token);
    const onOther = await connectElsewhere(base, phone.token, onOne.nodeId);
    const laptopSocket = await connect(base, laptop.token);
    const ends = [endOf(onOne.socket), endOf(onOther.socket)];
    const logout = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { cookie: phone.cookie } });
    expect(logout.status).toBe(204);
    for (const end of await Promise.all(ends)) {
      expect(end.reason).toBe('logout');
      expect(end.ms).toBeLessThan(2_000);
    }
    await refusedWithin(phone.token);
    expect((await apiFor(base, laptop.token)('/api/chats')).status).toBe(200);
    expect(laptopSocket.socket.connected).toBe(true);
    await expect(connect(base, phone.token)).rejects.toThrow('unauthorized');
    laptopSocket.socket.close();
  });

  it('are listed for their user, this one marked, and one revoked from another ends at once', async () => {
    const { email, password } = await account('Rae');
    const [phone, laptop] = [await device(email, password), await device(email, password)];
    const phoneSocket = await connect(base, phone.token);
    const { status, body } = await apiFor(
      base,
      laptop.token,
    )<{
      sessions: { id: string; current: boolean; userAgent: string | null; createdAt: string; lastUsedAt: string }[];
    }>('/api/auth/sessions');
    expect(status).toBe(200);
    // registering was a login too: three sessions, this one marked, each with the device that last used it
    expect(body.sessions).toHaveLength(3);
    expect(body.sessions.filter((s) => s.current)).toHaveLength(1);
    expect(body.sessions.filter((s) => s.userAgent?.startsWith('device-'))).toHaveLength(2);
    const phoneSession = body.sessions.find((s) => !s.current && s.userAgent?.startsWith('device-'))?.id as string;

    // someone else's session, or one that is not there: 404, and nothing ends
    const stranger = await register(base, 'Stranger');
    expect((await stranger.api(`/api/auth/sessions/${phoneSession}`, { method: 'DELETE' })).status).toBe(404);
    expect((await stranger.api(`/api/auth/sessions/${randomUUID()}`, { method: 'DELETE' })).status).toBe(404);
    expect((await stranger.api('/api/auth/sessions/not-an-id', { method: 'DELETE' })).status).toBe(404);
    expect((await apiFor(base, phone.token)('/api/chats')).status).toBe(200);

    const end = endOf(phoneSocket.socket);
    expect((await apiFor(base, laptop.token)(`/api/auth/sessions/${phoneSession}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await end).reason).toBe('revoked');
    await refusedWithin(phone.token);
    const refresh = await fetch(`${base}/api/auth/refresh`, { method: 'POST', headers: { cookie: phone.cookie } });
    expect(refresh.status).toBe(401);
    const after = await apiFor(base, laptop.token)<{ sessions: { id: string }[] }>('/api/auth/sessions');
    expect(after.body.sessions.map((s) => s.id)).not.toContain(phoneSession);
    expect(after.body.sessions).toHaveLength(2);
  });

  it("end for every other device on a password change, and for all of a user's devices on deactivation", async () => {
    const { email, password } = await account('Kim');
    const [here, there] = [await device(email, password), await device(email, password)];
    const thereSocket = await connect(base, there.token);
    const hereSocket = await connect(base, here.token);
    const thereEnd = endOf(thereSocket.socket);
    const changed = await apiFor(base, here.token)('/api/auth/password', {
      method: 'POST',
      body: { currentPassword: password, newPassword: 'a brand new password' },
    });
    expect(changed.status).toBe(204);
    expect((await thereEnd).reason).toBe('password_changed');
    await refusedWithin(there.token);
    expect((await apiFor(base, here.token)('/api/chats')).status).toBe(200);

    const admin = await login(base, 'admin@mail.ru');
    const hereEnd = endOf(hereSocket.socket);
    const me = await apiFor(base, here.token)<{ id: string }>('/api/auth/me');
    const off = await admin.api(`/api/admin/users/${me.body.id}`, { method: 'PATCH', body: { isActive: false } });
    expect(off.status).toBe(200);
    expect((await hereEnd).reason).toBe('deactivated');
    await refusedWithin(here.token);
  });
});
