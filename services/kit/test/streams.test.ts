// The records of the gateway's connections: one message per turn, a broadcast's payload once with all its streams,
// and each stream's records in the order given.
import { describe, expect, it } from 'vitest';
import { RecordWriter, readRecords } from '@chat/kit';

type Seen = ['open', number, string] | ['frame', number, string, boolean] | ['close', number];

/** Everything one turn's writes sent, as messages and as what each stream got in order. */
async function turn(write: (w: RecordWriter) => void) {
  const messages: Buffer[] = [];
  const writer = new RecordWriter((m) => messages.push(m));
  write(writer);
  expect(messages).toHaveLength(0);
  await new Promise(process.nextTick);
  const seen: Seen[] = [];
  let frames = 0;
  for (const message of messages)
    readRecords(message, {
      open: (id, opening) => seen.push(['open', id, opening.url]),
      frame: (ids, payload, binary) => {
        frames++;
        for (const id of ids) seen.push(['frame', id, payload.toString(), binary]);
      },
      close: (id) => seen.push(['close', id]),
    });
  const of = (id: number) => seen.filter((s) => s[1] === id);
  return { messages, frames, of };
}

describe('a turn of records', () => {
  it('goes as one message once the turn is over, a broadcast carried once for all its streams', async () => {
    const broadcast = Buffer.from('42["message:new",{}]');
    const { messages, frames, of } = await turn((w) => {
      for (let id = 1; id <= 400; id++) w.frame(id, broadcast, false);
    });
    expect(messages).toHaveLength(1);
    expect(frames).toBe(1);
    expect(of(400)).toEqual([['frame', 400, '42["message:new",{}]', false]]);
  });

  it("keeps each stream's own order when broadcasts and its own frames interleave", async () => {
    const [a, b] = [Buffer.from('a'), Buffer.from('b')];
    const { of, frames } = await turn((w) => {
      w.open(3, { url: '/socket.io/?EIO=4', headers: {}, address: '::1' });
      // stream 1 has a frame of its own waiting before the broadcasts; 2 and 3 get theirs in one go each
      w.frame(1, 'own', false);
      w.frame(1, a, false);
      w.frame(1, b, false);
      w.frame(2, a, false);
      w.frame(2, b, false);
      w.frame(3, b, false);
      w.frame(3, a, false);
      w.close(2);
      w.frame(1, Buffer.from([0, 255]), true);
    });
    expect(of(1).map((s) => s[2])).toEqual(['own', 'a', 'b', '\u0000\ufffd']);
    expect(of(2)).toEqual([
      ['frame', 2, 'a', false],
      ['frame', 2, 'b', false],
      ['close', 2],
    ]);
    // 3 got b before a: the a shared with 1 and 2 comes earlier, so 3's a is a record of its own
    expect(of(3)).toEqual([
      ['open', 3, '/socket.io/?EIO=4'],
      ['frame', 3, 'b', false],
      ['frame', 3, 'a', false],
    ]);
    // own, a (1 and 2), b (1, 2 and 3), 3's a, the binary one
    expect(frames).toBe(5);
  });

  it('refuses a message cut short', () => {
    const messages: Buffer[] = [];
    const writer = new RecordWriter((m) => messages.push(m));
    writer.frame(1, 'hello', false);
    writer.flush();
    const cut = (messages[0] as Buffer).subarray(0, 8);
    expect(() => readRecords(cut, { open() {}, frame() {}, close() {} })).toThrow(/truncated/);
    expect(() => readRecords(Buffer.from([9]), { open() {}, frame() {}, close() {} })).toThrow(/unknown/);
  });
});
