// Which realtime node serves a socket. WebSocket-only clients may land anywhere; long-polling needs every request of a
// session on the node that holds it, so a browser is pinned to one node by a cookie (set on its first request).
import type { IncomingMessage } from 'node:http';

export const STICKY_COOKIE = 'rt_node';
export const UNPIN_COOKIE = `${STICKY_COOKIE}=; Path=/socket.io; Max-Age=0`;
let next = 0;

const pinned = new WeakMap<IncomingMessage, { index: number; fresh: boolean }>();

function cookieIndex(req: IncomingMessage, count: number): number | undefined {
  const match = /(?:^|;\s*)rt_node=(\d+)/.exec(req.headers.cookie ?? '');
  if (!match) return undefined;
  const index = Number(match[1]);
  return index < count ? index : undefined;
}

export function pickRealtimeNode(req: IncomingMessage, count: number): number {
  const known = cookieIndex(req, count);
  if (known !== undefined) {
    pinned.set(req, { index: known, fresh: false });
    return known;
  }
  const index = next++ % count;
  pinned.set(req, { index, fresh: true });
  return index;
}

/** The Set-Cookie value to pin the browser to the node just chosen, or undefined when it already was. */
export function stickyCookieOf(req: IncomingMessage): string | undefined {
  const pin = pinned.get(req);
  if (!pin?.fresh) return undefined;
  return `${STICKY_COOKIE}=${pin.index}; Path=/socket.io; HttpOnly; SameSite=Strict`;
}
