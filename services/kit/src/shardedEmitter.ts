// Publishes to the Socket.IO nodes from outside them over sharded Pub/Sub (SPUBLISH), in the wire format of
// @socket.io/redis-adapter's sharded adapter (`createShardedAdapter`, subscription mode "dynamic"): what
// @socket.io/redis-emitter is to the classic adapter. Only what the services need: broadcasts to rooms (with except
// and flags), and making the sockets of rooms join or leave rooms.
import { encode } from 'notepack.io';

/** socket.io-adapter's ClusterAdapter message types that this publisher sends. */
export const ShardedMessageType = { BROADCAST: 3, SOCKETS_JOIN: 4, SOCKETS_LEAVE: 5 } as const;
/** socket.io-parser's EVENT packet type. */
const EVENT_PACKET = 2;
/** The sender's uid in every message: no adapter has it, so every adapter handles the message. */
const PUBLISHER_UID = 'emitter';

/** Whatever can SPUBLISH: an ioredis Redis or Cluster. */
export type ShardedPublishClient = { spublish(channel: string, payload: string | Buffer): Promise<unknown> };

type Options = { rooms: string[]; except: string[]; flags: Record<string, unknown> };

// exactly as the adapter tells socket ids (which never get a channel of their own) from rooms
const looksLikeASocketId = (room: string) => room.length === 20;

/** The adapter's hasBinary: binary payloads are sent as MessagePack, everything else as JSON. */
function hasBinary(value: unknown, toJSON = false): boolean {
  if (!value || typeof value !== 'object') return false;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) return value.some((v) => hasBinary(v));
  for (const key in value) {
    if (Object.hasOwn(value, key) && hasBinary((value as Record<string, unknown>)[key])) return true;
  }
  const withJson = value as { toJSON?: () => unknown };
  return typeof withJson.toJSON === 'function' && !toJSON ? hasBinary(withJson.toJSON(), true) : false;
}

/** A message as the adapter encodes it (key order included: type, data, uid, nsp). */
export function encodeShardedMessage(type: number, data: unknown, nsp: string): string | Buffer {
  const message = { type, data, uid: PUBLISHER_UID, nsp };
  return type === ShardedMessageType.BROADCAST && hasBinary(data) ? encode(message) : JSON.stringify(message);
}

export type ShardedEmitterOptions = {
  /** The adapter's `channelPrefix`. */
  channelPrefix: string;
  /** The namespace, `/` unless told. */
  nsp?: string;
};

/** Socket.IO's typed event map: event name → listener. */
type EventsMap<Events> = { [E in keyof Events]: (...args: never[]) => void };

export class ShardedEmitter<Events extends EventsMap<Events>> {
  readonly #client: ShardedPublishClient;
  readonly #channel: string;
  readonly #nsp: string;

  constructor(client: ShardedPublishClient, { channelPrefix, nsp = '/' }: ShardedEmitterOptions) {
    this.#client = client;
    this.#nsp = nsp;
    this.#channel = `${channelPrefix}#${nsp}#`;
  }

  /** The channel a message goes to: a broadcast to one room (not a socket id) has the room's own channel. */
  channelOf(type: number, rooms: string[]): string {
    const ownChannel =
      type === ShardedMessageType.BROADCAST && rooms.length === 1 && !looksLikeASocketId(rooms[0] ?? '');
    return ownChannel ? `${this.#channel}${rooms[0]}#` : this.#channel;
  }

  to(rooms: string | string[]): ShardedBroadcast<Events> {
    return new ShardedBroadcast<Events>(this, { rooms: ([] as string[]).concat(rooms), except: [], flags: {} });
  }

  in(rooms: string | string[]): ShardedBroadcast<Events> {
    return this.to(rooms);
  }

  /** Publishes one message; resolves once Redis took it. */
  publish(type: number, data: { opts: Options } & Record<string, unknown>): Promise<unknown> {
    return this.#client.spublish(this.channelOf(type, data.opts.rooms), encodeShardedMessage(type, data, this.#nsp));
  }
}

export class ShardedBroadcast<Events extends EventsMap<Events>> {
  readonly #emitter: ShardedEmitter<Events>;
  readonly #opts: Options;

  constructor(emitter: ShardedEmitter<Events>, opts: Options) {
    this.#emitter = emitter;
    this.#opts = opts;
  }

  to(rooms: string | string[]): ShardedBroadcast<Events> {
    const added = ([] as string[]).concat(rooms).filter((r) => !this.#opts.rooms.includes(r));
    return new ShardedBroadcast(this.#emitter, { ...this.#opts, rooms: [...this.#opts.rooms, ...added] });
  }

  except(rooms: string | string[]): ShardedBroadcast<Events> {
    const added = ([] as string[]).concat(rooms).filter((r) => !this.#opts.except.includes(r));
    return new ShardedBroadcast(this.#emitter, { ...this.#opts, except: [...this.#opts.except, ...added] });
  }

  /** Sockets that are not connected at the time are skipped (as Socket.IO's `volatile`). */
  get volatile(): ShardedBroadcast<Events> {
    return new ShardedBroadcast(this.#emitter, { ...this.#opts, flags: { ...this.#opts.flags, volatile: true } });
  }

  emit<E extends keyof Events & string>(event: E, ...args: Parameters<Events[E]>): Promise<unknown> {
    // as Socket.IO's own broadcast builds it: the namespace is in the message, not in the packet
    const packet = { type: EVENT_PACKET, data: [event, ...args] };
    return this.#emitter.publish(ShardedMessageType.BROADCAST, { packet, opts: this.#opts });
  }

  socketsJoin(rooms: string | string[]): Promise<unknown> {
    return this.#emitter.publish(ShardedMessageType.SOCKETS_JOIN, {
      opts: this.#opts,
      rooms: ([] as string[]).concat(rooms),
    });
  }

  socketsLeave(rooms: string | string[]): Promise<unknown> {
    return this.#emitter.publish(ShardedMessageType.SOCKETS_LEAVE, {
      opts: this.#opts,
      rooms: ([] as string[]).concat(rooms),
    });
  }
}
