// The publishing order of one chat's changes within a process, when revs are learned out of order.
import { describe, expect, it, vi } from 'vitest';
import { Sequencer } from '../src/feed/sequencer.ts';

const CHAT = 'chat-1';

describe('sequencer', () => {
  // Two statements in flight for the chat: the one that took the higher rev answers first. Either may have started
  // first (the one sent second can reach the chat's lock first).
  it.each([
    { case: 'the statement that started second', higherStartedFirst: false },
    { case: 'the statement that started first', higherStartedFirst: true },
  ])('publishes in rev order when $case took the higher rev and answered first', async ({ higherStartedFirst }) => {
    const sequencer = new Sequencer();
    const published: number[] = [];
    const startedFirst = sequencer.expect(CHAT);
    const startedSecond = sequencer.expect(CHAT);
    const [high, low] = higherStartedFirst ? [startedFirst, startedSecond] : [startedSecond, startedFirst];
    high.took(8);
    const publishingHigh = sequencer.inOrder(CHAT, 8, () => published.push(8));
    await Promise.resolve();
    expect(published).toEqual([]);
    low.took(7);
    await sequencer.inOrder(CHAT, 7, () => published.push(7));
    await publishingHigh;
    expect(published).toEqual([7, 8]);
    expect(sequencer.size).toBe(0);
  });

  it('does not wait for an expected statement that took a higher rev or none', async () => {
    const sequencer = new Sequencer();
    const published: number[] = [];
    const later = sequencer.expect(CHAT);
    const refused = sequencer.expect(CHAT);
    sequencer.hold(CHAT, 3);
    const publishing = sequencer.inOrder(CHAT, 3, () => published.push(3));
    refused.cancel();
    later.took(4);
    await publishing;
    await sequencer.inOrder(CHAT, 4, () => published.push(4));
    expect(published).toEqual([3, 4]);
  });

  it('does not hold a change up for the statements behind it when the rev before it was taken here', async () => {
    const sequencer = new Sequencer();
    const published: number[] = [];
    const first = sequencer.expect(CHAT);
    first.took(4);
    await sequencer.inOrder(CHAT, 4, () => published.push(4));
    const next = sequencer.expect(CHAT);
    const queued = sequencer.expect(CHAT);
    next.took(5);
    const publishing = sequencer.inOrder(CHAT, 5, () => published.push(5));
    // 4 went out from here, so the statement still on its way can only take a later rev
    expect(published).toEqual([4, 5]);
    await publishing;
    queued.took(6);
    await sequencer.inOrder(CHAT, 6, () => published.push(6));
    expect(published).toEqual([4, 5, 6]);
  });

  it('waits for a statement on its way that may take again the rev a rolled-back transaction gave back', async () => {
    const sequencer = new Sequencer();
    const published: number[] = [];
    sequencer.hold(CHAT, 3);
    await sequencer.inOrder(CHAT, 3, () => published.push(3));
    sequencer.hold(CHAT, 4);
    sequencer.release(CHAT, 4);
    const retaking = sequencer.expect(CHAT);
    const after = sequencer.expect(CHAT);
    after.took(5);
    const publishingFive = sequencer.inOrder(CHAT, 5, () => published.push(5));
    await Promise.resolve();
    expect(published).toEqual([3]);
    retaking.took(4);
    await sequencer.inOrder(CHAT, 4, () => published.push(4));
    await publishingFive;
    expect(published).toEqual([3, 4, 5]);
  });

  it('publishes a change at once when nothing of its chat is held or expected', async () => {
    const sequencer = new Sequencer();
    sequencer.expect('another chat');
    const published: number[] = [];
    await sequencer.inOrder(CHAT, 1, () => published.push(1));
    expect(published).toEqual([1]);
  });
  it('still counts a rev published here as taken here after a place would have been given up', async () => {
    vi.useFakeTimers();
    try {
      const sequencer = new Sequencer();
      const published: number[] = [];
      const first = sequencer.expect(CHAT);
      first.took(4);
      await sequencer.inOrder(CHAT, 4, () => published.push(4));
      // the chat is quiet for longer than an unpublished place is kept
      await vi.advanceTimersByTimeAsync(11_000);
      const queuedBehind = sequencer.expect(CHAT);
      const next = sequencer.expect(CHAT);
      next.took(5);
      const publishing = sequencer.inOrder(CHAT, 5, () => published.push(5));
      await vi.advanceTimersByTimeAsync(0);
      expect(published).toEqual([4, 5]);
      queuedBehind.cancel();
      await publishing;
    } finally {
      vi.useRealTimers();
    }
  });
});
