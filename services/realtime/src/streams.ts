// The gateway's connection to this node (see the kit's streams.ts): each stream on it is a browser's WebSocket, handed
// to Engine.IO as if the browser had connected here. Engine.IO checks the request as it would any other (a sid it does
// not know, a transport it does not serve: the stream is closed), and the socket it makes behaves as any other.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  internalTokenMatches,
  type Logger,
  MAX_STREAMS_MESSAGE_BYTES,
  RecordWriter,
  readRecords,
  STREAMS_PATH,
  type StreamOpening,
} from '@chat/kit';
import type { Server } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';

type Done = (error?: Error) => void;

// What may wait to be written to a gateway before its connection counts as stuck.
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** What Engine.IO's WebSocket transport uses of a `ws` socket, over a stream of the gateway's connection. */
class GatewayStream extends EventEmitter {
  readyState = 1;
  /** Engine.IO reads the client's address here. */
  readonly _socket: { remoteAddress: string };
  /** A broadcast's frame, encoded once for every member (its payload is the same object for each). */
  readonly _sender = {
    sendFrame: (frame: Buffer[], done?: Done) => this.write(payloadOf(frame), false, done),
  };

  readonly id: number;
  private readonly out: RecordWriter;
  private readonly gone: (id: number) => void;

  constructor(id: number, address: string, out: RecordWriter, gone: (id: number) => void) {
    super();
    this.id = id;
    this.out = out;
    this.gone = gone;
    this._socket = { remoteAddress: address };
    this.on('newListener', (event: string) => {
      if (event === 'message' && this.early) process.nextTick(() => this.listening());
    });
  }

  send(data: string | Buffer, done?: Done): void {
    this.write(data, typeof data !== 'string', done);
  }

  private write(payload: string | Buffer, binary: boolean, done?: Done): void {
    if (this.readyState !== 1) {
      if (done) process.nextTick(done, new Error('stream closed'));
      return;
    }
    // called back once the turn's records went out (as `ws` calls back once its socket took the frame)
    this.out.frame(this.id, payload, binary, done);
  }

  /** Engine.IO closes the socket: the gateway closes the browser's. */
  close(): void {
    if (this.readyState !== 1) return;
    this.out.close(this.id);
    this.ended();
  }

  terminate(): void {
    this.close();
  }

  /** The browser left, or the gateway's connection did. */
  ended(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.gone(this.id);
    this.emit('close', 1006, Buffer.alloc(0));
  }

  // what the browser sent before Engine.IO listened (it takes the stream over asynchronously when it checks a request)
  private early?: [Buffer, boolean][] = [];

  received(payload: Buffer, binary: boolean, maxBytes: number): void {
    if (this.readyState !== 1) return;
    // as `ws` would: a frame past the limit ends the socket
    if (payload.length > maxBytes) {
      this.close();
      return;
    }
    if (this.early) this.early.push([payload, binary]);
    else this.emit('message', payload, binary);
  }

  /** Engine.IO listens: what came early is its first. */
  listening(): void {
    const early = this.early ?? [];
    this.early = undefined;
    for (const [payload, binary] of early) this.emit('message', payload, binary);
  }
}

/** A `ws` frame (header and payload, never masked from a server) → its payload. */
function payloadOf(frame: Buffer[]): Buffer {
  if (frame.length === 2) return frame[1] as Buffer;
  const bytes = frame[0] as Buffer;
  const length = (bytes[1] as number) & 0x7f;
  return bytes.subarray(length === 126 ? 4 : length === 127 ? 10 : 2);
}

/** The request Engine.IO sees for a stream: the browser's upgrade request as the gateway passed it on. */
function requestOf(opening: StreamOpening, stream: GatewayStream) {
  const connection = { remoteAddress: opening.address, encrypted: false };
  return Object.assign(new EventEmitter(), {
    method: 'GET',
    url: opening.url,
    headers: opening.headers,
    httpVersion: '1.1',
    connection,
    socket: connection,
    gatewayStream: stream,
  }) as unknown as IncomingMessage;
}

/** The socket Engine.IO would write an HTTP refusal to: here, refusing closes the stream. */
function socketOf(stream: GatewayStream) {
  const socket = Object.assign(new EventEmitter(), {
    writable: true,
    bytesWritten: 0,
    write: () => true,
    end: () => stream.close(),
    destroy: () => stream.close(),
  });
  stream.once('close', () => socket.emit('close'));
  return socket as unknown as Duplex;
}

/** What writeBroadcastsAtOnce uses of an Engine.IO socket. */
type EngineSocket = {
  readyState: string;
  upgrading: boolean;
  writeBuffer: unknown[];
  transport: { writable: boolean; socket?: unknown };
  write(data: unknown, options?: unknown, callback?: unknown): EngineSocket;
  send(data: unknown, options?: unknown, callback?: unknown): EngineSocket;
};

/**
 * A broadcast (a chat's message to its members) reaches each member's Engine.IO socket already framed, once for all.
 * Engine.IO would still queue it per socket, flush, mark the transport busy, and free it again with events and a
 * callback once the turn's records went out: most of a node's work for a group. A socket on a stream with nothing
 * queued before it (its transport free, its buffer empty) gets the frame on its stream at once instead, so in the same
 * order; any other socket, packet or moment goes the usual way.
 */
function writeBroadcastsAtOnce(conn: EngineSocket): void {
  const write = conn.write.bind(conn);
  conn.write = conn.send = (data, options, callback) => {
    const frame = (options as { wsPreEncodedFrame?: Buffer[] } | undefined)?.wsPreEncodedFrame;
    const stream = conn.transport.socket;
    if (
      frame &&
      callback === undefined &&
      stream instanceof GatewayStream &&
      conn.readyState === 'open' &&
      !conn.upgrading &&
      conn.transport.writable &&
      conn.writeBuffer.length === 0
    ) {
      // the same record Engine.IO's way would write, with nothing to call back
      stream._sender.sendFrame(frame);
      return conn;
    }
    return write(data, options, callback);
  };
}

type EngineWithWs = {
  ws: { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: unknown) => void): void };
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
};

export function acceptGatewayStreams(
  io: Server,
  httpServer: HttpServer,
  options: { internalToken: string; maxFrameBytes: number; logger: Logger },
) {
  const engine = io.engine as unknown as EngineWithWs;
  // Engine.IO hands an accepted upgrade to its `ws` server (made anew once the HTTP server listens); a stream is
  // already a WebSocket
  const patched = new WeakSet<object>();
  const handOverStreams = () => {
    const ws = engine.ws;
    if (patched.has(ws)) return;
    patched.add(ws);
    const upgrade = ws.handleUpgrade.bind(ws);
    ws.handleUpgrade = (req, socket, head, done) => {
      const stream = (req as IncomingMessage & { gatewayStream?: GatewayStream }).gatewayStream;
      if (stream) done(stream);
      else upgrade(req, socket, head, done);
    };
  };

  io.engine.on('connection', writeBroadcastsAtOnce);

  const expected = Buffer.from(options.internalToken);
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_STREAMS_MESSAGE_BYTES,
  });
  const connections = new Set<WebSocket>();

  httpServer.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith(STREAMS_PATH)) return;
    if (!internalTokenMatches(req, expected)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    server.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  function serve(ws: WebSocket) {
    connections.add(ws);
    const streams = new Map<number, GatewayStream>();
    const out = new RecordWriter((message) => {
      if (ws.readyState !== ws.OPEN) return;
      // a gateway that reads nothing is not buffered for without end: its browsers reconnect (to it or another)
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        options.logger.warn({ buffered: ws.bufferedAmount }, 'gateway not reading; its connection closed');
        ws.terminate();
        return;
      }
      ws.send(message);
    });
    const gone = (id: number) => streams.delete(id);
    ws.on('message', (message: Buffer) => {
      try {
        readRecords(message, {
          open(id, opening) {
            streams.get(id)?.ended();
            const stream = new GatewayStream(id, opening.address, out, gone);
            streams.set(id, stream);
            handOverStreams();
            engine.handleUpgrade(requestOf(opening, stream), socketOf(stream), Buffer.alloc(0));
          },
          frame(ids, payload, binary) {
            for (const id of ids) streams.get(id)?.received(payload, binary, options.maxFrameBytes);
          },
          close(id) {
            streams.get(id)?.ended();
          },
        });
      } catch (err) {
        options.logger.warn({ err: (err as Error).message }, 'gateway connection sent a malformed record');
        ws.terminate();
      }
    });
    ws.on('error', (err) => options.logger.warn({ err: err.message }, 'gateway connection failed'));
    ws.on('close', () => {
      connections.delete(ws);
      for (const stream of [...streams.values()]) stream.ended();
    });
  }

  return {
    /** Ends the gateways' connections (their browsers' sockets end with them). */
    close() {
      for (const ws of connections) ws.terminate();
      server.close();
    },
  };
}
