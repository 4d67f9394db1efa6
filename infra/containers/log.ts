// The run's log: numbered steps with the time since the start and each step's duration, details indented below.
import { performance } from 'node:perf_hooks';

const started = performance.now();
const steps: { title: string; ms: number; ok: boolean }[] = [];

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const stamp = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s]`;

/** A detail of the running step. */
export function info(message: string) {
  console.log(`${stamp()}      ${message}`);
}

/** Runs one step, logging its start, its end and how long it took; a failure is logged and thrown on. */
export async function step<T>(title: string, run: () => Promise<T>): Promise<T> {
  const n = steps.length + 1;
  const entry = { title, ms: 0, ok: false };
  steps.push(entry);
  console.log(`${stamp()} ${String(n).padStart(2)}. ${title}`);
  const from = performance.now();
  try {
    const result = await run();
    entry.ms = performance.now() - from;
    entry.ok = true;
    console.log(`${stamp()}      ok (${seconds(entry.ms)})`);
    return result;
  } catch (err) {
    entry.ms = performance.now() - from;
    console.log(`${stamp()}      FAILED after ${seconds(entry.ms)}: ${(err as Error).message}`);
    throw err;
  }
}

/** Every step with its duration, and the total. */
export function summary(): string {
  const width = Math.max(...steps.map((s) => s.title.length), 10);
  const lines = steps.map(
    (s, i) =>
      `${String(i + 1).padStart(3)}. ${s.title.padEnd(width)}  ${seconds(s.ms).padStart(8)}  ${s.ok ? 'ok' : 'FAILED'}`,
  );
  lines.push(`     ${'total'.padEnd(width)}  ${seconds(performance.now() - started).padStart(8)}`);
  return lines.join('\n');
}
