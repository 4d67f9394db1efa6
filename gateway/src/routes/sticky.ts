// Which realtime node serves a socket. WebSocket-only clients may land anywhere; long-polling needs every request of a
// session on the node that holds it, so a browser is pinned to one node by a cookie set on its first request.
// A node name in REALTIME_URLS that resolves to several addresses (a scaled container service) counts as one node per
// address, re-resolved every few seconds. Every node's /status is checked every second: new sockets go to
// the healthy node holding the fewest, never to one that is dead, frozen or draining (a pin to it is dropped).
import { lookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export const STICKY_COOKIE = 'rt_node';
export const UNPIN_COOKIE = `${STICKY_COOKIE}=; Path=/socket.io; Max-Age=0`;

type Health = { healthy: boolean; failures: number; sockets: number; assigned: number };

// a node that missed this many checks in a row is out (one may be a hiccup)
const FAILURES_TO_FAIL = 2;

export class RealtimeNodes {
  private nodes: string[];
  private next = 0;
  private readonly health = new Map<string, Health>();
  private healthTimer?: NodeJS.Timeout;
  private readonly configured: string[];
  private readonly pinned = new WeakMap<IncomingMessage, { node: string; fresh: boolean }>();
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

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
    clearInterval(this.healthTimer);
  }

  /**
   * Asks every node for its status; a node that does not answer within `timeoutMs` counts a failure. A node's load is
   * the sockets it reported plus those sent to it since the question went out (it may not have counted them yet); a
   * missed answer keeps the last known load and everything sent since, so no socket drops out of the count. A check
   * asked for while one is still out is that one: two at once would each take the sockets sent since their own start
   * off the count, and the later answer would forget some.
   */
  checkHealth(timeoutMs = 1_000): Promise<void> {
    this.checking ??= this.askEveryNode(timeoutMs).finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async askEveryNode(timeoutMs: number): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const assignedBefore = this.health.get(node)?.assigned ?? 0;
        const status = await fetch(new URL('/status', node), { signal: AbortSignal.timeout(timeoutMs) })
          .then((r) => (r.ok ? (r.json() as Promise<{ ready: boolean; sockets: number }>) : undefined))
          .catch(() => undefined);
        const known = this.health.get(node) ?? { healthy: true, failures: 0, sockets: 0, assigned: 0 };
        if (status?.ready) {
          const sentMeanwhile = Math.max(0, known.assigned - assignedBefore);
          this.health.set(node, { healthy: true, failures: 0, sockets: status.sockets, assigned: sentMeanwhile });
          return;
        }
        // answered "not ready" (Redis away, draining): out at once; silent: out after a second miss
        const failures = known.failures + 1;
        this.health.set(node, { ...known, failures, healthy: status ? false : failures < FAILURES_TO_FAIL });
      }),
    );
  }

  /** Every second, with two misses to fail: a frozen node is out within ~3 s, before its clients' heartbeat
   * (4 + 4 s) gives up on it, so their reconnects never land on it. */
  watchHealth(intervalMs = 1_000) {
    void this.checkHealth();
    this.healthTimer = setInterval(() => void this.checkHealth(), intervalMs);
    this.healthTimer.unref();
  }

  /**
   * A node whose connection to this gateway just dropped (it died, or restarts): out until a check finds it ready, and
   * holding none of the sockets it had, which went with the connection. Without this it would keep its last known load
   * (and be tried again) until two checks had missed it, and a node back within a second would look as full as before
   * until its next check, while new sockets went round and round both.
   */
  lost(node: string) {
    this.health.set(node, { healthy: false, failures: FAILURES_TO_FAIL, sockets: 0, assigned: 0 });
  }

  private healthy(node: string): boolean {
    return this.health.get(node)?.healthy ?? true;
  }

  /** The healthy node with the fewest sockets (counting those sent to it since its last check); round robin when
   * none is known healthy, so the gateway keeps trying rather than refusing everyone. */
  private leastLoaded(): string {
    const healthy = this.nodes.filter((n) => this.healthy(n));
    if (healthy.length === 0) return this.nodes[this.next++ % this.nodes.length] as string;
    const load = (n: string) => {
      const h = this.health.get(n);
      return (h?.sockets ?? 0) + (h?.assigned ?? 0);
    };
    const start = this.next++ % healthy.length;
    let best = healthy[start] as string;
    for (let i = 1; i < healthy.length; i++) {
      const node = healthy[(start + i) % healthy.length] as string;
      if (load(node) < load(best)) best = node;
    }
    const h = this.health.get(best);
    if (h) h.assigned++;
    return best;
  }

  list(): readonly string[] {
    return this.nodes;
  }

  pick(req: IncomingMessage): string {
    const match = /(?:^|;\s*)rt_node=([^;]+)/.exec(req.headers.cookie ?? '');
    const wanted = match?.[1] ? decodeURIComponent(match[1]) : undefined;
    if (wanted && this.nodes.includes(wanted) && this.healthy(wanted)) {
      this.pinned.set(req, { node: wanted, fresh: false });
      return wanted;
    }
    const node = this.leastLoaded();
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
