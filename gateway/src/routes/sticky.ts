// Which realtime node serves a socket. WebSocket-only clients may land anywhere; long-polling needs every request of a
// session on the node that holds it, so a browser is pinned to one node by a cookie set on its first request.
// A node name in REALTIME_URLS that resolves to several addresses (a scaled container service) counts as one node per
// address, re-resolved every few seconds.
import { lookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export const STICKY_COOKIE = 'rt_node';
export const UNPIN_COOKIE = `${STICKY_COOKIE}=; Path=/socket.io; Max-Age=0`;

export class RealtimeNodes {
  private nodes: string[];
  private next = 0;
  private readonly configured: string[];
  private readonly pinned = new WeakMap<IncomingMessage, { node: string; fresh: boolean }>();
  private timer?: NodeJS.Timeout;

  constructor(configured: string[]) {
    this.configured = configured;
    this.nodes = [...configured];
  }

  /** Expands names to every address they resolve to; keeps the last good list when resolution fails. */
  async refresh(): Promise<void> {
    const expanded = await Promise.all(
      this.configured.map(async (url) => {
        const parsed = new URL(url);
        if (isIP(parsed.hostname) || parsed.hostname === 'localhost') return [url];
        try {
          const addresses = await lookup(parsed.hostname, { all: true, family: 4 });
          return addresses.map((a) => `${parsed.protocol}//${a.address}:${parsed.port || 80}`);
        } catch {
          return this.nodes.filter((n) => n === url);
        }
      }),
    );
    const nodes = [...new Set(expanded.flat())].sort();
    if (nodes.length > 0) this.nodes = nodes;
  }

  watch(intervalMs = 5_000) {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
  }

  list(): readonly string[] {
    return this.nodes;
  }

  pick(req: IncomingMessage): string {
    const match = /(?:^|;\s*)rt_node=([^;]+)/.exec(req.headers.cookie ?? '');
    const wanted = match?.[1] ? decodeURIComponent(match[1]) : undefined;
    if (wanted && this.nodes.includes(wanted)) {
      this.pinned.set(req, { node: wanted, fresh: false });
      return wanted;
    }
    const node = this.nodes[this.next++ % this.nodes.length] as string;
    this.pinned.set(req, { node, fresh: true });
    return node;
  }

  /** The Set-Cookie value pinning the browser to the node just chosen, or undefined when it already was. */
  stickyCookieOf(req: IncomingMessage): string | undefined {
    const pin = this.pinned.get(req);
    if (!pin?.fresh) return undefined;
    return `${STICKY_COOKIE}=${encodeURIComponent(pin.node)}; Path=/socket.io; HttpOnly; SameSite=Strict`;
  }
}
