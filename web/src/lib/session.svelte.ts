// Who is logged in, the access token (memory only), and its refresh: before expiry, on 401, on a refused socket.
// The refresh cookie is HttpOnly; tabs take turns refreshing (Web Locks), since a reused refresh token ends the session.
import type { User } from '@chat/kit/contract';

export type EndReason = 'logout' | 'revoked' | 'password_changed' | 'deactivated' | 'expired';

export const session = $state({
  user: null as User | null,
  token: null as string | null,
  checked: false,
  /** Why the last session ended, when it was not this tab's own logout: the login page says so. */
  endedBecause: null as EndReason | null,
});

const tokenListeners = new Set<(token: string) => void>();
/** Called with every new access token (an open socket hands it over with auth:refresh). */
export function onToken(listener: (token: string) => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

export class ApiError extends Error {
  status: number;
  problem: { code?: string; detail?: string; errors?: { path: string; message: string }[] };
  constructor(status: number, problem: ApiError['problem']) {
    super(problem.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let refreshing: Promise<boolean> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function expiryOf(token: string): number {
  try {
    return JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))).exp * 1000;
  } catch {
    return 0;
  }
}

function useToken(token: string) {
  const renewed = session.token !== null && session.token !== token;
  session.token = token;
  if (renewed) for (const listener of tokenListeners) listener(token);
  clearTimeout(timer);
  const due = expiryOf(token) - Date.now() - 60_000;
  timer = setTimeout(() => void refresh(), Math.max(5_000, due));
}

async function postRefresh(): Promise<boolean> {
  const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' }).catch(() => null);
  if (!res) return Boolean(session.token); // offline: keep what we have, try again later
  if (!res.ok) return false;
  useToken(((await res.json()) as { accessToken: string }).accessToken);
  return true;
}

/** A fresh access token; false when the session has ended. One refresh at a time, across tabs too. */
export function refresh(): Promise<boolean> {
  if (!refreshing) {
    const run = navigator.locks
      ? (navigator.locks.request('chat-refresh', postRefresh) as unknown as Promise<boolean>)
      : postRefresh();
    refreshing = run.finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
  retried = false,
): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 401 && !retried && session.user && (await refresh())) return api<T>(path, init, true);
  if (res.status === 401 && session.user && retried) endSession();
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, body ?? {});
  return body as T;
}

export function startSession(user: User, token: string) {
  session.user = user;
  session.endedBecause = null;
  useToken(token);
}

export function endSession(because: EndReason | null = null) {
  clearTimeout(timer);
  session.user = null;
  session.token = null;
  session.endedBecause = because;
}

/** On load: the refresh cookie brings the session back without a login. */
export async function restoreSession(): Promise<void> {
  if (await refresh()) {
    try {
      session.user = await api<User>('/api/auth/me');
    } catch {
      endSession();
    }
  }
  session.checked = true;
}

export async function logout() {
  await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  endSession();
}
