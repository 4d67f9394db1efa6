// Demo chats and messages, made through the public API so they follow every rule a client does. Idempotent:
// the direct chat is one per pair, the group is found by title, messages carry fixed clientIds.
type Session = { token: string; userId: string };

const PASSWORD = 'qwerty123';

async function api<T>(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const res = await fetch(new URL(path, base), {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

async function login(base: string, email: string): Promise<Session> {
  const { user, accessToken } = await api<{ user: { id: string }; accessToken: string }>(base, '/api/auth/login', {
    method: 'POST',
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  return { token: accessToken, userId: user.id };
}

async function say(base: string, who: Session, chatId: string, clientId: string, body: string) {
  await api(base, `/api/chats/${chatId}/messages`, {
    method: 'POST',
    token: who.token,
    body: JSON.stringify({ clientId, body }),
  });
}

export async function seedDemoChats(base: string): Promise<void> {
  const [first, second, third, admin] = await Promise.all(
    ['first@mail.ru', 'second@mail.ru', 'third@mail.ru', 'admin@mail.ru'].map((email) => login(base, email)),
  );
  if (!first || !second || !third || !admin) throw new Error('demo users missing');

  const direct = await api<{ id: string }>(base, '/api/chats/direct', {
    method: 'POST',
    token: first.token,
    body: JSON.stringify({ userId: second.userId }),
  });
  await say(base, first, direct.id, 'demo-direct-1', 'Привет! Это новый чат — сообщения больше не теряются.');
  await say(base, second, direct.id, 'demo-direct-2', 'Hi! And no more "refresh chat" button 🎉');

  const { chats } = await api<{ chats: { id: string; title: string | null }[] }>(base, '/api/chats', {
    token: first.token,
  });
  const general =
    chats.find((c) => c.title === 'General') ??
    (await api<{ id: string }>(base, '/api/chats/groups', {
      method: 'POST',
      token: admin.token,
      body: JSON.stringify({ title: 'General', memberIds: [first.userId, second.userId, third.userId] }),
    }));
  await say(base, admin, general.id, 'demo-general-1', 'Welcome to General — everyone is here.');
  await say(base, third, general.id, 'demo-general-2', 'Всем привет!');
}
