// The gateway's WebSocket streams to a realtime node: every browser socket the gateway holds for a node travels over
// one connection to it, as records. A record opens a stream, carries a frame for one or several streams, or closes
// one. What one side writes in one turn of its event loop goes out as one message, in order: a message broadcast to a
// chat's members is carried once, with the streams it is for, instead of once per member in a connection of its own.
//
// Records (integers big-endian):
//   1 OPEN   id u32, length u32, JSON { url, headers, address } (the browser's upgrade request, as the gateway saw it)
//   2 FRAME  count u16, id u32 × count, binary u8, length u32, payload
//   3 CLOSE  id u32
export const STREAMS_PATH = '/internal/streams';

/** The largest message either end takes on a connection (one turn's records; a turn's writes are far smaller). */
export const MAX_STREAMS_MESSAGE_BYTES = 256 * 1024 * 1024;

export type StreamOpening = { url: string; headers: Record<string, string>; address: string };

export type StreamRecords = {
  open(id: number, opening: StreamOpening): void;
  frame(ids: number[], payload: Buffer, binary: boolean): void;
  close(id: number): void;
};

const OPEN = 1;
const FRAME = 2;
const CLOSE = 3;
const MAX_IDS = 0xffff;

/** Reads one message's records in order; throws on a malformed message (the connection is then dropped). */
export function readRecords(message: Buffer, on: StreamRecords): void {
  let at = 0;
  const need = (n: number) => {
    if (at + n > message.length) throw new Error('truncated stream record');
  };
  while (at < message.length) {
    need(1);
    const type = message.readUInt8(at);
    at += 1;
    if (type === OPEN) {
      need(8);
      const id = message.readUInt32BE(at);
      const length = message.readUInt32BE(at + 4);
      at += 8;
      need(length);
      const opening = JSON.parse(message.toString('utf8', at, at + length)) as StreamOpening;
      at += length;
      on.open(id, opening);
    } else if (type === FRAME) {
      need(2);
      const count = message.readUInt16BE(at);
      at += 2;
      need(count * 4 + 5);
      const ids: number[] = [];
      for (let i = 0; i < count; i++) ids.push(message.readUInt32BE(at + i * 4));
      at += count * 4;
      const binary = message.readUInt8(at) === 1;
      const length = message.readUInt32BE(at + 1);
      at += 5;
      need(length);
      on.frame(ids, message.subarray(at, at + length), binary);
      at += length;
    } else if (type === CLOSE) {
      need(4);
      on.close(message.readUInt32BE(at));
      at += 4;
    } else {
      throw new Error(`unknown stream record ${type}`);
    }
  }
}

type Group = { payload: Buffer | string; binary: boolean; ids: number[] };

/**
 * Collects the records of one turn and sends them as one message once the turn's work is done. A payload given for
 * several streams (a broadcast: the same object for each member) is written once, with all their ids, as long as that
 * keeps each stream's records in the order they were given.
 */
export class RecordWriter {
  private entries: (Buffer | Group)[] = [];
  private readonly groupOf = new Map<Buffer | string, number>();
  private readonly lastOf = new Map<number, number>();
  private scheduled = false;
  private done: (() => void)[] = [];

  private readonly send: (message: Buffer) => void;

  constructor(send: (message: Buffer) => void) {
    this.send = send;
  }

  open(id: number, opening: StreamOpening): void {
    const json = Buffer.from(JSON.stringify(opening));
    const head = Buffer.allocUnsafe(9);
    head.writeUInt8(OPEN, 0);
    head.writeUInt32BE(id, 1);
    head.writeUInt32BE(json.length, 5);
    this.push(id, Buffer.concat([head, json]));
  }

  /** `done` is called once the record went out with its turn's message. */
  frame(id: number, payload: Buffer | string, binary: boolean, done?: () => void): void {
    if (done) this.done.push(done);
    const at = this.groupOf.get(payload);
    const group = at === undefined ? undefined : (this.entries[at] as Group);
    if (
      at !== undefined &&
      group &&
      group.binary === binary &&
      group.ids.length < MAX_IDS &&
      at >= (this.lastOf.get(id) ?? -1)
    ) {
      group.ids.push(id);
      this.lastOf.set(id, at);
      return;
    }
    this.groupOf.set(payload, this.entries.length);
    this.push(id, { payload, binary, ids: [id] });
  }

  close(id: number): void {
    const record = Buffer.allocUnsafe(5);
    record.writeUInt8(CLOSE, 0);
    record.writeUInt32BE(id, 1);
    this.push(id, record);
  }

  /** Sends what was collected now (also what the end of the turn would have sent). */
  flush = (): void => {
    this.scheduled = false;
    const done = this.done;
    this.done = [];
    this.write();
    for (const callback of done) callback();
  };

  private write(): void {
    if (this.entries.length === 0) return;
    const parts: Buffer[] = [];
    for (const entry of this.entries) {
      if (Buffer.isBuffer(entry)) {
        parts.push(entry);
        continue;
      }
      const payload = typeof entry.payload === 'string' ? Buffer.from(entry.payload) : entry.payload;
      const head = Buffer.allocUnsafe(3 + entry.ids.length * 4 + 5);
      head.writeUInt8(FRAME, 0);
      head.writeUInt16BE(entry.ids.length, 1);
      let at = 3;
      for (const id of entry.ids) {
        head.writeUInt32BE(id, at);
        at += 4;
      }
      head.writeUInt8(entry.binary ? 1 : 0, at);
      head.writeUInt32BE(payload.length, at + 1);
      parts.push(head, payload);
    }
    this.entries = [];
    this.groupOf.clear();
    this.lastOf.clear();
    this.send(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
  }

  private push(id: number, entry: Buffer | Group): void {
    this.lastOf.set(id, this.entries.length);
    this.entries.push(entry);
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.flush);
  }
}
