// The tab's one Socket.IO connection, shared by every view; reconnects with backoff and re-authenticates.
import type { ClientToServerEvents, ServerToClientEvents } from '@chat/kit/contract';
import { io, type Socket } from 'socket.io-client';
import { refresh, session } from './session.svelte.ts';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting';
export const connection = $state({ status: 'connecting' as ConnectionStatus, nodeId: '' });

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let socket: ChatSocket | null = null;

export function currentSocket(): ChatSocket | null {
  return socket;
}

/** Opens the connection; `onSession` runs after every (re)connect, once the server put the socket in its rooms. */
export function connect(onSession: () => void, onEnded: () => void): ChatSocket {
  socket?.disconnect();
  const s: ChatSocket = io({
    auth: (cb) => cb({ token: session.token ?? '' }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 8_000,
    randomizationFactor: 0.5,
  });
  socket = s;
  s.on('session', ({ nodeId }) => {
    connection.status = 'online';
    connection.nodeId = nodeId;
    onSession();
  });
  s.on('disconnect', (reason) => {
    connection.status = 'reconnecting';
    // the server closed it on purpose (e.g. it could not load the chats): try again ourselves
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1_000);
  });
  s.on('connect_error', async (err) => {
    connection.status = 'reconnecting';
    if (err.message !== 'unauthorized') return; // network trouble: the client retries with backoff by itself
    if (await refresh()) setTimeout(() => s.connect(), 200);
    else onEnded();
  });
  return s;
}

export function disconnect() {
  socket?.disconnect();
  socket = null;
  connection.status = 'connecting';
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
