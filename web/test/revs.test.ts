import { describe, expect, it } from 'vitest';
import { decide, type HeldRev, markApplied, markAppliedUpTo } from '../src/lib/sync/revs.ts';

/** A change as the revs see it: its number. */
const change = (rev: number) => ({ rev });
const held = (rev: number, ahead: number[] = []): HeldRev => ({ held: rev, ahead: ahead.map(change) });

describe('the rev rule for a live change', () => {
  it('ignores a change at or below the rev held: the client has it already', () => {
    expect(decide(held(5), 5)).toBe('have');
    expect(decide(held(5), 3)).toBe('have');
  });

  it('applies the next change in order', () => {
    expect(decide(held(5), 6)).toBe('apply');
  });

  it('applies a change past a gap and asks for the changes before it', () => {
    expect(decide(held(5), 8)).toBe('gap');
  });

  it('ignores a change that was applied ahead of a gap when it comes again', () => {
    expect(decide(held(5, [8]), 8)).toBe('have');
    expect(decide(held(5, [8]), 6)).toBe('apply');
  });
});

describe('the rev held', () => {
  it('moves by one with each change applied in order', () => {
    const h = held(5);
    markApplied(h, change(6));
    expect(h).toEqual({ held: 6, ahead: [] });
  });

  it('waits below a gap, then climbs over every change applied ahead once the gap is filled', () => {
    const h = held(5);
    markApplied(h, change(8));
    markApplied(h, change(7));
    expect(h).toEqual({ held: 5, ahead: [change(8), change(7)] });
    markApplied(h, change(6));
    expect(h).toEqual({ held: 8, ahead: [] });
  });

  it('takes a page that reached the chat rev as everything up to it, keeping later changes applied ahead', () => {
    const h = held(5, [12]);
    markAppliedUpTo(h, 10);
    expect(h).toEqual({ held: 10, ahead: [change(12)] });
    markAppliedUpTo(h, 11);
    expect(h).toEqual({ held: 12, ahead: [] });
  });

  it('never moves back', () => {
    const h = held(9);
    markAppliedUpTo(h, 4);
    markApplied(h, change(3));
    expect(h).toEqual({ held: 9, ahead: [] });
  });
});
