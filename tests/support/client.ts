// A test client speaking only the public contract through the gateway: REST calls and Socket.IO sockets.
import { randomUUID } from 'node:crypto';
import type {
  Attachment,
  Chat,
  ClientToServerEvents,
  MessageWithRev,
  ServerToClientEvents,
  User,
} from '@chat/kit/contract';
import { io, type Socket } from 'socket.io-client';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type Client = { user: User; token: string; api: Api };
type Api = <T = unknown>(
  path: string,
  init?: { method?: string; body?: unknown },
) => Promise<{ status: number; body: T }>;

export function apiFor(baseUrl: string, token?: string): Api {
  return async (path, init = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
}

export async function register(baseUrl: string, name = 'User'): Promise<Client> {
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${randomUUID().slice(0, 8)}@example.test`;
  const { status, body } = await apiFor(baseUrl)<{ user: User; accessToken: string }>('/api/auth/register', {
    method: 'POST',
    body: { email, password: 'correct horse battery', displayName: name },
  });
  if (status !== 201) throw new Error(`register answered ${status}: ${JSON.stringify(body)}`);
  return { user: body.user, token: body.accessToken, api: apiFor(baseUrl, body.accessToken) };
}

export async function login(baseUrl: string, email: string, password = 'qwerty123'): Promise<Client> {
  const { status, body } = await apiFor(baseUrl)<{ user: User; accessToken: string }>('/api/auth/login', {
    method: 'POST',
    body: { email, password },
  });
  if (status !== 200) throw new Error(`login answered ${status}`);
  return { user: body.user, token: body.accessToken, api: apiFor(baseUrl, body.accessToken) };
}

export async function groupOf(owner: Client, members: Client[], title = 'Group'): Promise<Chat> {
  const { status, body } = await owner.api<Chat>('/api/chats/groups', {
    method: 'POST',
    body: { title, memberIds: members.map((m) => m.user.id) },
  });
  if (status !== 201) throw new Error(`group answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** A socket through the gateway, resolved once the server said `session` (it is then in all its rooms). */
export async function connect(
  baseUrl: string,
  token: string,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<{ socket: ChatSocket; nodeId: string }> {
  // withCredentials keeps the gateway's node-pinning cookie, as a browser does
  const socket: ChatSocket = io(baseUrl, {
    auth: { token },
    transports,
    reconnection: false,
    forceNew: true,
    withCredentials: true,
  });
  const nodeId = await new Promise<string>((resolve, reject) => {
    socket.once('session', (s) => resolve(s.nodeId));
    socket.once('connect_error', (err) => reject(err));
  });
  return { socket, nodeId };
}

/**
 * A socket that reconnects by itself, as the web app's does (also when the server closed it on purpose: a draining
 * node may close a socket before it even said `session`); resolves once the server said `session`.
 */
export async function reconnectingSocket(baseUrl: string, token: string) {
  const socket: ChatSocket = io(baseUrl, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 300,
    reconnectionDelayMax: 1_000,
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') socket.connect();
  });
  const nodeId = await new Promise<string>((resolve) => socket.once('session', (s) => resolve(s.nodeId)));
  return { socket, nodeId };
}

/**
 * Connects until the socket lands on a realtime node other than `notOn`. The gateway sends a new socket to the node
 * it last saw holding the fewest; its view follows the nodes' status about once a second (a slow answer under load
 * can take a node out for a moment), so attempts go on across several of its checks.
 */
export async function connectElsewhere(baseUrl: string, token: string, notOn: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await connect(baseUrl, token);
    if (c.nodeId !== notOn) return c;
    c.socket.close();
    if (Date.now() > deadline) throw new Error('every connection landed on the same node');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type Events = ServerToClientEvents;
/** The next `event` whose payload satisfies `match`. */
export function next<E extends keyof Events>(
  socket: ChatSocket,
  event: E,
  match: (payload: Parameters<Events[E]>[0]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Parameters<Events[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: Parameters<Events[E]>[0]) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(payload);
    };
    socket.on(event, listener as never);
  });
}

/** Collects every `event` from now on. */
export function collect<E extends keyof Events>(socket: ChatSocket, event: E): Parameters<Events[E]>[0][] {
  const seen: Parameters<Events[E]>[0][] = [];
  socket.on(event, ((payload: Parameters<Events[E]>[0]) => seen.push(payload)) as never);
  return seen;
}

export function send(socket: ChatSocket, chatId: string, body: string, clientId: string = randomUUID()) {
  return socket.emitWithAck('message:send', { chatId, clientId, body }) as Promise<
    { ok: true; message: MessageWithRev } | { ok: false; error: { code: string; message: string } }
  >;
}

/** Uploads a file through the gateway as the client; answers the attachment. */
export async function upload(baseUrl: string, client: Client, bytes: Uint8Array, name: string): Promise<Attachment> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await fetch(`${baseUrl}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}` },
    body: form,
  });
  const body = (await res.json()) as { attachment: Attachment };
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
  return body.attachment;
}

/** GETs a file path through the gateway as the client. */
export function fetchFile(baseUrl: string, client: Client, urlPath: string) {
  return fetch(`${baseUrl}${urlPath}`, { headers: { authorization: `Bearer ${client.token}` } });
}
