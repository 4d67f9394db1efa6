// A chat's plain sends commit in groups: what arrives while a group is written goes in the next one, in turns between
// senders, never two of one clientId together, within the line's bounds.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createAdmission } from '../src/domain/admission.ts';
import { type Admit, createSendGroups } from '../src/domain/sendGroups.ts';

type Item = { writer: string; key: string };

/** A writer whose groups are recorded and held until `finish()`; each item is answered with its key. */
function recordingWriter() {
  const groups: string[][] = [];
  const holds: (() => void)[] = [];
  const watchers: { n: number; resolve: () => void }[] = [];
  return {
    groups,
    /** Settles once `n` groups have been handed to the writer. */
    written: (n: number) =>
      new Promise<void>((resolve) => {
        if (groups.length >= n) resolve();
        else watchers.push({ n, resolve });
      }),
    /** The oldest group held is written. */
    finish: () => holds.shift()?.(),
    write: async (_chatId: string, items: Item[]) => {
      groups.push(items.map((i) => i.key));
      for (const w of watchers.filter((w) => groups.length >= w.n)) w.resolve();
      await new Promise<void>((resolve) => holds.push(resolve));
      return items.map((i) => ({ status: 'fulfilled' as const, value: i.key }));
    },
  };
}

const admitAll: Admit = (_chatId, write) => write();
const options = { maxSize: 3, queued: 100, waitMs: 60_000 };

function groupsOver(writer: ReturnType<typeof recordingWriter>, admit: Admit = admitAll, opts = options) {
  const groups = createSendGroups<Item, string>(opts, (i) => i.key, admit, writer.write);
  const add = (writer: string, key: string) => groups.add('chat', { writer, key }, writer);
  return { groups, add };
}

describe('send groups', () => {
  it('writes what arrives together as one group, and what arrives meanwhile as the next', async () => {
    const writer = recordingWriter();
    const { add } = groupsOver(writer);
    const first = [add('ann', 'a1'), add('ben', 'b1')];
    await writer.written(1);
    const later = [add('ann', 'a2'), add('cat', 'c1')];
    writer.finish();
    expect(await Promise.all(first)).toEqual(['a1', 'b1']);
    await writer.written(2);
    writer.finish();
    expect(await Promise.all(later)).toEqual(['a2', 'c1']);
    expect(writer.groups).toEqual([
      ['a1', 'b1'],
      ['a2', 'c1'],
    ]);
  });

  it("takes senders in turn, each sender's sends in order, at most maxSize, never one clientId twice", async () => {
    const writer = recordingWriter();
    const { add } = groupsOver(writer, admitAll, { ...options, maxSize: 4 });
    const all = [add('ann', 'a1')];
    await writer.written(1);
    // a backlog from ann, one send from ben, and a clientId ben repeats
    all.push(
      add('ann', 'a2'),
      add('ann', 'a3'),
      add('ann', 'a4'),
      add('ann', 'a5'),
      add('ben', 'b1'),
      add('ben', 'b1'),
    );
    writer.finish();
    await writer.written(2);
    writer.finish();
    await writer.written(3);
    writer.finish();
    await Promise.all(all);
    expect(writer.groups).toEqual([['a1'], ['a2', 'b1', 'a3', 'a4'], ['a5', 'b1']]);
  });

  it('turns a send away past the bound of waiting sends, and one that waited too long', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const writer = recordingWriter();
    const { groups, add } = groupsOver(writer, admitAll, { maxSize: 10, queued: 1, waitMs: 30 });
    const first = add('ann', 'a1');
    await writer.written(1);
    const waiting = add('ben', 'b1');
    await expect(add('cat', 'c1')).rejects.toMatchObject({ code: 'unavailable', retryAfterSeconds: 1 });
    expect(groups.waiting()).toBe(1);
    vi.setSystemTime(Date.now() + 40);
    writer.finish();
    await first;
    await expect(waiting).rejects.toMatchObject({ code: 'unavailable' });
    expect(groups.waiting()).toBe(0);
    expect(writer.groups).toEqual([['a1']]);
  });

  it("answers each send with its own outcome, and every send of a group the chat's line turned away", async () => {
    const failing = createSendGroups<Item, string>(
      options,
      (i) => i.key,
      admitAll,
      async (_chatId, items) =>
        items.map((i) =>
          i.key === 'bad' ? { status: 'rejected', reason: new Error('bad') } : { status: 'fulfilled', value: i.key },
        ),
    );
    const outcomes = await Promise.allSettled([
      failing.add('chat', { writer: 'ann', key: 'ok' }, 'ann'),
      failing.add('chat', { writer: 'ben', key: 'bad' }, 'ben'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);

    const admission = createAdmission({ inFlight: 1, queued: 0, waitMs: 60_000 });
    let release!: () => void;
    const busy = admission.admit('chat', () => new Promise<void>((resolve) => (release = resolve)));
    const writer = recordingWriter();
    const { add } = groupsOver(writer, (chatId, write) => admission.admit(chatId, write));
    const refused = [add('ann', 'a1'), add('ben', 'b1')];
    for (const r of refused) await expect(r).rejects.toMatchObject({ code: 'unavailable' });
    release();
    await busy;
    expect(writer.groups).toEqual([]);
  });
});
