import { describe, expect, it } from 'vitest';
import { holesIn, mergeMessages, withNewestPage, withQuotesOf } from '../src/lib/sync/timeline.ts';
import { message } from './support.ts';

const seqs = (list: { seq: number }[]) => list.map((m) => m.seq);

describe('a chat timeline', () => {
  it('keeps one message per seq in order, whatever order pages and events come in', () => {
    const merged = mergeMessages([message(5), message(6)], [message(3), message(4), message(6, { body: 'newer' })]);
    expect(seqs(merged)).toEqual([3, 4, 5, 6]);
    expect(merged.at(-1)?.body).toBe('newer');
  });

  it('takes a reloaded newest page as it is, keeping messages that arrived after it', () => {
    const stale = [message(1, { body: 'stale' }), message(40, { body: 'stale' })];
    const page = [message(40, { body: 'fresh' }), message(41)];
    const merged = withNewestPage([...stale, message(42)], page);
    expect(seqs(merged)).toEqual([40, 41, 42]);
    expect(merged[0]?.body).toBe('fresh');
  });

  it('finds the holes a jump left between the pages held', () => {
    const list = [message(3), message(4), message(40), message(41), message(90)];
    expect(holesIn(list)).toEqual([
      { after: 4, before: 40 },
      { after: 41, before: 90 },
    ]);
    expect(holesIn([message(1), message(2)])).toEqual([]);
  });

  it('shows an edit or delete of a message in the quotes of it held', () => {
    const original = message(1, { id: 'original', body: 'first words' });
    const quote = { id: 'original', seq: 1, senderId: original.senderId, preview: 'first words', deleted: false };
    const reply = message(2, { replyTo: quote });
    const other = message(3);
    const edited = withQuotesOf([original, reply, other], { ...original, body: 'better words' });
    expect(edited?.[1]?.replyTo).toMatchObject({ preview: 'better words', deleted: false });
    expect(edited?.[2]).toBe(other);
    const deleted = withQuotesOf([reply], { ...original, body: '', deletedAt: '2025-01-01T12:00:00.000Z' });
    expect(deleted?.[0]?.replyTo).toMatchObject({ preview: '', deleted: true });
    expect(withQuotesOf([reply, other], original)).toBeNull();
  });
});
