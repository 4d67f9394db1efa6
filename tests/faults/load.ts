// Users that follow the contract as the web app does, under steady load: one reconnecting socket each (also when the
// server closed it or refused it), sends with a clientId that are retried with the same clientId until acknowledged,
// catch-up after every (re)connect, on `resync` and whenever a `seq` gap shows. Everything they see is recorded, so
// what was acknowledged can be checked against what every member ended up with.
import { randomUUID } from 'node:crypto';
import type { Message } from '@chat/kit/contract';
import { io } from 'socket.io-client';
import type { ChatSocket, Client } from '../support/client.ts';

export type Acked = { id: string; chatId: string; seq: number; senderId: string; clientId: string };

/** What the whole load saw: acknowledged messages and which message ids each clientId produced. */
export class Ledger {
  readonly acked = new Map<string, Acked>();
  readonly idsByClientId = new Map<string, Set<string>>();
  /** Ack latency (ms from the first attempt) with the node the sender was on when it first tried. */
  readonly acks: { at: number; ms: number; nodeId: string; chatId: string }[] = [];

  sawMessage(m: Pick<Message, 'id' | 'senderId' | 'clientId'>) {
    const key = `${m.senderId}/${m.clientId}`;
    const ids = this.idsByClientId.get(key) ?? new Set<string>();
    ids.add(m.id);
    this.idsByClientId.set(key, ids);
  }

  /** clientIds that produced more than one message. */
  duplicates(): number {
    let n = 0;
    for (const ids of this.idsByClientId.values()) if (ids.size > 1) n += ids.size - 1;
    return n;
  }
}

type Outgoing = { chatId: string; clientId: string; body: string; firstTriedAt: number; nodeId: string };

export class LoadUser {
  readonly socket: ChatSocket;
  nodeId = '';
  live = false;
  /** Per chat: seq → message id, whatever way it arrived. */
  readonly seen = new Map<string, Map<number, string>>();
  readonly pending = new Set<Outgoing>();
  private catchingUp = new Set<string>();
  private stopped = false;
  private refusals = 0;

  readonly client: Client;
  readonly chatIds: string[];
  private readonly baseUrl: string;
  private readonly ledger: Ledger;

  constructor(client: Client, chatIds: string[], baseUrl: string, ledger: Ledger) {
    this.client = client;
    this.chatIds = chatIds;
    this.baseUrl = baseUrl;
    this.ledger = ledger;
    for (const id of chatIds) this.seen.set(id, new Map());
    this.socket = io(baseUrl, {
      auth: { token: client.token },
      transports: ['websocket'],
      forceNew: true,
      timeout: 6_000,
      reconnectionDelay: 300,
      reconnectionDelayMax: 2_000,
      withCredentials: true,
    });
    this.socket.on('session', ({ nodeId }) => {
      this.nodeId = nodeId;
      this.live = true;
      this.refusals = 0;
      this.catchUpAll();
    });
    this.socket.on('disconnect', (reason) => {
      this.live = false;
      if (reason === 'io server disconnect' && !this.stopped) this.socket.connect();
    });
    this.socket.on('connect_error', () => {
      this.live = false;
      if (this.socket.active || this.stopped) return;
      this.refusals += 1;
      setTimeout(() => this.socket.connect(), Math.min(2_000, 200 * 2 ** this.refusals));
    });
    this.socket.on('resync', () => this.catchUpAll());
    this.socket.on('message:new', (m) => this.receive(m));
  }

  /** Resolves once the server said `session`. */
  ready(): Promise<void> {
    if (this.live) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('session', () => resolve()));
  }

  private receive(m: Message) {
    const seen = this.seen.get(m.chatId);
    if (!seen) return;
    this.ledger.sawMessage(m);
    const highest = this.highest(m.chatId);
    seen.set(m.seq, m.id);
    if (m.seq > highest + 1) this.catchUp(m.chatId);
  }

  /** The highest seq up to which this user holds every message. */
  highest(chatId: string): number {
    const seen = this.seen.get(chatId) ?? new Map();
    let n = 0;
    while (seen.has(n + 1)) n++;
    return n;
  }

  catchUpAll() {
    for (const id of this.chatIds) this.catchUp(id);
  }

  private catchUp(chatId: string) {
    if (this.catchingUp.has(chatId) || this.stopped) return;
    this.catchingUp.add(chatId);
    void (async () => {
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          for (;;) {
            const res = await fetch(
              `${this.baseUrl}/api/chats/${chatId}/messages?after=${this.highest(chatId)}&limit=100`,
              {
                headers: { authorization: `Bearer ${this.client.token}` },
                signal: AbortSignal.timeout(5_000),
              },
            );
            if (res.status !== 200) throw new Error(`catch-up answered ${res.status}`);
            const { messages } = (await res.json()) as { messages: Message[] };
            for (const m of messages) this.receive(m);
            if (messages.length < 100) return;
          }
        } catch {
          await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
        }
      }
    })().finally(() => this.catchingUp.delete(chatId));
  }

  /** Sends until acknowledged: waits while offline, retries the same clientId after a time-out or `unavailable`. */
  async send(chatId: string, body: string): Promise<void> {
    const out: Outgoing = { chatId, clientId: randomUUID(), body, firstTriedAt: Date.now(), nodeId: this.nodeId };
    this.pending.add(out);
    try {
      while (!this.stopped) {
        if (!this.live) await this.ready();
        let wait = 200;
        try {
          const ack = await this.socket
            .timeout(5_000)
            .emitWithAck('message:send', { chatId, clientId: out.clientId, body });
          if (ack.ok) {
            const m = ack.message;
            this.ledger.sawMessage(m);
            this.ledger.acked.set(m.id, { id: m.id, chatId, seq: m.seq, senderId: m.senderId, clientId: m.clientId });
            this.ledger.acks.push({ at: Date.now(), ms: Date.now() - out.firstTriedAt, nodeId: out.nodeId, chatId });
            return;
          }
          if (ack.error.code !== 'unavailable' && ack.error.code !== 'rate_limited')
            throw new Error(`send refused: ${ack.error.code} ${ack.error.message}`);
          wait = ack.error.retryAfterMs ?? wait;
        } catch (err) {
          if ((err as Error).message.startsWith('send refused')) throw err;
          // no ack in time (the node froze or the socket dropped): the same clientId again
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      this.pending.delete(out);
    }
  }

  stop() {
    this.stopped = true;
    this.socket.close();
  }
}
