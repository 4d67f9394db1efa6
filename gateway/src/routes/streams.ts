// Browsers' WebSockets to the realtime nodes, carried over one connection per node (see the kit's streams.ts). The
// gateway ends each browser's WebSocket itself and passes its frames on as records; a node's broadcast arrives once
// with the streams it is for and is written to each of those browsers. A node that goes away takes its browsers'
// sockets with it, as a dropped TCP connection would: they reconnect, to a live node, and catch up.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  INTERNAL_TOKEN_HEADER,
  type Logger,
  MAX_STREAMS_MESSAGE_BYTES,
  RecordWriter,
  readRecords,
  STREAMS_PATH,
  type StreamOpening,
} from '@chat/kit';
import { WebSocket, WebSocketServer } from 'ws';

/** One node's connection and the browsers' sockets on it. */
class NodeConnection {
  private readonly browsers = new Map<number, WebSocket>();
  // The browsers' TCP sockets written to since this turn of the event loop began (`ws` keeps its socket private): held
  // until the node's messages read in this turn are all written out, then let go at once. Under load a read brings
  // several messages from the node, and a browser gets theirs in one write instead of one each. The first socket held
  // schedules the letting go, so the set is empty exactly when none is scheduled.
  private readonly corked = new Set<Socket>();
  private readonly uncork = () => {
    for (const tcp of this.corked) tcp.uncork();
    this.corked.clear();
  };
  private next = 1;
  private readonly out: RecordWriter;
  readonly ready: Promise<void>;

  readonly node: string;
  private readonly ws: WebSocket;
  private readonly log: Logger;
  private readonly maxBufferedBytes: number;

  constructor(node: string, ws: WebSocket, log: Logger, maxBufferedBytes: number, onGone: () => void) {
    this.node = node;
    this.ws = ws;
    this.log = log;
    this.maxBufferedBytes = maxBufferedBytes;
    this.out = new RecordWriter((message) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(message);
    });
    this.ready = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', () => reject(new Error(`realtime node ${node} closed the connection`)));
    });
    this.ready.catch(() => {});
    ws.on('message', (message: Buffer) => {
      try {
        readRecords(message, {
          open: () => {
            throw new Error('a node does not open streams');
          },
          frame: (ids, payload, binary) => {
            // a server's frames are not masked: one frame, the same bytes for every browser it is for
            const frame = frameOf(payload, binary);
            for (const id of ids) this.toBrowser(id, frame, payload, binary);
          },
          close: (id) => {
            const browser = this.browsers.get(id);
            this.browsers.delete(id);
            browser?.close();
          },
        });
      } catch (err) {
        log.warn({ node, err: (err as Error).message }, 'realtime node sent a malformed record');
        ws.terminate();
      }
    });
    ws.on('error', (err) => log.warn({ node, err: err.message }, 'realtime node connection failed'));
    ws.on('close', () => {
      onGone();
      // as a dropped connection to the node would: the browsers reconnect (to a live node) and catch up
      for (const browser of this.browsers.values()) browser.terminate();
      this.browsers.clear();
    });
  }

  private toBrowser(id: number, frame: Buffer, payload: Buffer, binary: boolean) {
    const browser = this.browsers.get(id);
    if (!browser || browser.readyState !== WebSocket.OPEN) return;
    // a browser that reads nothing is not buffered for without end: it reconnects and catches up
    if (browser.bufferedAmount > this.maxBufferedBytes) {
      this.log.warn({ node: this.node, buffered: browser.bufferedAmount }, 'browser not reading; socket closed');
      browser.terminate();
      return;
    }
    // the frame goes onto the browser's TCP socket as it is (ws writes each of its own frames in one go, and without
    // compression it queues nothing, so frames never interleave); the frames a browser gets in one turn go to it in
    // one write
    const tcp = (browser as WebSocket & { _socket?: Socket })._socket;
    if (!tcp) return browser.send(payload, { binary });
    if (!this.corked.has(tcp)) {
      if (this.corked.size === 0) setImmediate(this.uncork);
      tcp.cork();
      this.corked.add(tcp);
    }
    tcp.write(frame);
  }

  /** Carries a browser's socket to the node from now on. */
  carry(browser: WebSocket, opening: StreamOpening) {
    const id = this.next++;
    if (this.next > 0xffffffff) this.next = 1;
    this.browsers.set(id, browser);
    this.out.open(id, opening);
    browser.on('message', (data: Buffer, binary: boolean) => this.out.frame(id, data, binary));
    browser.on('close', () => {
      if (this.browsers.get(id) !== browser) return;
      this.browsers.delete(id);
      this.out.close(id);
    });
    browser.on('error', () => browser.terminate());
  }

  close() {
    this.ws.terminate();
  }
}

export type GatewayStreamOptions = {
  internalToken: string;
  /** The largest frame a browser may send (the node applies its own limit too). */
  maxFrameBytes: number;
  /** What may wait to be written to one browser before it counts as not reading. */
  maxBufferedBytes: number;
  log: Logger;
  /** Told when a node's connection drops (the node's sockets went with it). */
  onNodeGone?: (node: string) => void;
};

export function createGatewayStreams(options: GatewayStreamOptions) {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxFrameBytes });
  const connections = new Map<string, NodeConnection>();

  function connectionTo(node: string): NodeConnection {
    const known = connections.get(node);
    if (known) return known;
    const url = new URL(STREAMS_PATH, node);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      headers: { [INTERNAL_TOKEN_HEADER]: options.internalToken },
      perMessageDeflate: false,
      maxPayload: MAX_STREAMS_MESSAGE_BYTES,
    });
    const connection = new NodeConnection(node, ws, options.log, options.maxBufferedBytes, () => {
      if (connections.get(node) !== connection) return;
      connections.delete(node);
      options.onNodeGone?.(node);
    });
    connections.set(node, connection);
    return connection;
  }

  return {
    /**
     * Takes a browser's WebSocket upgrade for `node`; when the node cannot be reached the upgrade is refused (the
     * browser retries, and the gateway's health checks soon send it elsewhere).
     */
    async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, node: string, opening: StreamOpening) {
      const connection = connectionTo(node);
      try {
        await connection.ready;
      } catch (err) {
        options.log.warn({ node, err: (err as Error).message }, 'realtime node unavailable');
        socket.destroy();
        return;
      }
      server.handleUpgrade(req, socket, head, (browser) => connection.carry(browser, opening));
    },
    close() {
      for (const connection of connections.values()) connection.close();
      connections.clear();
      server.close();
    },
  };
}

/** A complete unmasked WebSocket frame (RFC 6455 §5.2) holding `payload`, text or binary, unfragmented. */
export function frameOf(payload: Buffer, binary: boolean): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + lengthBytes + length);
  frame[0] = 0x80 | (binary ? 0x2 : 0x1);
  if (lengthBytes === 0) frame[1] = length;
  else if (lengthBytes === 2) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, 2 + lengthBytes);
  return frame;
}
