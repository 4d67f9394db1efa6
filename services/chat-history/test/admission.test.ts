// A chat's line of writes: bounded, and fair between writers, so one writer's backlog never makes the others wait
// behind all of it.
import { describe, expect, it } from 'vitest';
import { createAdmission } from '../src/domain/admission.ts';

/** A write that runs until `finish()` is called, noting when it started. */
function gate(order: string[], name: string) {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    write: async () => {
      order.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

describe('admission', () => {
  it('takes one write from each waiting writer in turn, not a backlog first', async () => {
    const admission = createAdmission({ inFlight: 1, queued: 100, waitMs: 10_000 });
    const order: string[] = [];
    const running = gate(order, 'first');
    const all = [admission.admit('chat', running.write, 'someone')];
    const backlog = Array.from({ length: 5 }, (_, i) => gate(order, `resend ${i}`));
    for (const g of backlog) all.push(admission.admit('chat', g.write, 'mover'));
    const other = gate(order, 'other');
    all.push(admission.admit('chat', other.write, 'bystander'));
    expect(admission.load()).toBe(7);
    for (const g of [running, ...backlog, other]) g.finish();
    await Promise.all(all);
    expect(order).toEqual(['first', 'resend 0', 'other', 'resend 1', 'resend 2', 'resend 3', 'resend 4']);
    expect(admission.load()).toBe(0);
  });

  it('turns a write away when the line is full, and one that waited too long, and forgets both', async () => {
    const admission = createAdmission({ inFlight: 1, queued: 1, waitMs: 50 });
    const order: string[] = [];
    const running = gate(order, 'running');
    const first = admission.admit('chat', running.write, 'a');
    const waiting = admission.admit('chat', async () => 'late', 'b');
    await expect(admission.admit('chat', async () => 'full', 'c')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(waiting).rejects.toMatchObject({ code: 'unavailable' });
    expect(admission.load()).toBe(1);
    running.finish();
    await first;
    expect(admission.load()).toBe(0);
  });
});
