// The tab's one Socket.IO connection, shared by every view; reconnects with backoff and re-authenticates.
import type { ClientToServerEvents, ServerToClientEvents } from '@chat/kit/contract';
import { io, type Socket } from 'socket.io-client';
import { type EndReason, onToken, refresh, session } from './session.svelte.ts';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting';
export const connection = $state({
  status: 'connecting' as ConnectionStatus,
  nodeId: '',
  /** The node holding the socket lost its Redis: sends still commit, but nothing arrives live until it is back. */
  paused: false,
});

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let socket: ChatSocket | null = null;
let stopTokens: (() => void) | undefined;

export function currentSocket(): ChatSocket | null {
  return socket;
}

/** Opens the connection; `onSession` runs after every (re)connect, once the server put the socket in its rooms. */
export function connect(onSession: () => void, onEnded: (because?: EndReason) => void): ChatSocket {
  socket?.disconnect();
  const s: ChatSocket = io({
    auth: (cb) => cb({ token: session.token ?? '' }),
    // an attempt that hangs (a node that froze while it was being chosen) is given up and retried, not waited on 20 s
    timeout: 6_000,
    reconnectionDelay: 500,
    reconnectionDelayMax: 8_000,
    randomizationFactor: 0.5,
  });
  socket = s;
  let ended = false;
  stopTokens?.();
  // a refreshed token goes to the server too: the socket's one would otherwise expire under it
  stopTokens = onToken((token) => {
    if (s.connected) s.emit('auth:refresh', { token }, () => {});
  });
  s.on('session:ended', async ({ reason }) => {
    ended = true;
    s.disconnect();
    // its token lapsed (the device slept past the refresh): a new one and a new connection, if the session goes on
    if (reason === 'expired' && (await refresh())) {
      ended = false;
      s.connect();
      return;
    }
    onEnded(reason);
  });
  s.on('session', ({ nodeId }) => {
    // a paused node says so before this (when the socket connects), so paused is left as it is
    Object.assign(connection, { status: 'online', nodeId });
    onSession();
  });
  s.on('live', ({ paused }) => {
    connection.paused = paused;
  });
  s.on('disconnect', (reason) => {
    Object.assign(connection, { status: 'reconnecting', paused: false });
    // the server closed it on purpose (e.g. it could not load the chats): try again ourselves
    if (reason === 'io server disconnect' && !ended) setTimeout(() => s.connect(), 1_000);
  });
  let refusals = 0;
  s.on('connect', () => {
    refusals = 0;
  });
  s.on('connect_error', async (err) => {
    connection.status = 'reconnecting';
    // network trouble: the client retries with backoff by itself
    if (s.active) return;
    if (err.message === 'unauthorized') {
      if (await refresh()) setTimeout(() => s.connect(), 200);
      else onEnded();
      return;
    }
    // the server refused it for another reason (busy, starting up): Socket.IO leaves retrying to us
    refusals += 1;
    setTimeout(() => s.connect(), Math.min(8_000, 500 * 2 ** Math.min(refusals, 4)) * (0.5 + Math.random()));
  });
  return s;
}

export function disconnect() {
  stopTokens?.();
  stopTokens = undefined;
  socket?.disconnect();
  socket = null;
  Object.assign(connection, { status: 'connecting', paused: false });
}

/** The browser says the network is gone: drop the socket now instead of waiting for heartbeats to time out. */
export function networkLost() {
  connection.status = 'reconnecting';
  socket?.disconnect();
}

/** The network is back: reconnect at once (the session handler then catches up and sends the outbox). */
export function networkBack() {
  if (socket && !socket.connected) socket.connect();
}
