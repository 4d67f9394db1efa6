// Where a benchmark's CPU goes: each service's process, the benchmark's own clients, and the rest of the machine
// (PostgreSQL, Redis, the kernel's work for them), read from Linux's /proc over a window of the run. A latency target
// holds on a machine with room for the CPU the load takes; this says how much it takes per message, which changes far
// less from one machine (or hour) to the next than a latency does. Elsewhere than Linux it measures nothing.
import { readFileSync } from 'node:fs';

// Linux counts CPU time in clock ticks of 10 ms (USER_HZ is 100 on every architecture Node runs on)
const MS_PER_TICK = 10;

/** CPU ms a process has used (user and system), or undefined when it is gone or this is not Linux. */
function processMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command name, which may hold spaces and parentheses itself
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

/** CPU ms the whole machine has used (user, nice, system, irq, softirq: not idle, not stolen by its host). */
function machineMs(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

export type Process = { name: string; pid?: number };

/** Each part's CPU ms over the window, keyed by service name with the numbered copies together (`realtime-1`, `-2`). */
export type CpuSplit = Map<string, number>;

const partOf = (name: string) => name.replace(/-\d+$/, '');

/** The CPU ms of every part together. */
export const totalOf = (split: CpuSplit) => [...split.values()].reduce((a, b) => a + b, 0);

/**
 * Starts a window; its `end()` gives the CPU each part used since, or undefined where /proc cannot be read. Parts:
 * each service, `benchmark` (this process), and `PostgreSQL, Redis, other` (the machine's total less the others).
 */
export function cpuWindow(processes: Process[]) {
  const read = () => ({
    machine: machineMs(),
    own: process.cpuUsage(),
    services: processes.map((p) => ({ name: p.name, ms: p.pid === undefined ? undefined : processMs(p.pid) })),
  });
  const start = read();
  return {
    end(): CpuSplit | undefined {
      const end = read();
      if (start.machine === undefined || end.machine === undefined) return undefined;
      const split: CpuSplit = new Map();
      for (const [i, service] of end.services.entries()) {
        const before = start.services[i]?.ms;
        if (service.ms === undefined || before === undefined) continue;
        const part = partOf(service.name);
        split.set(part, (split.get(part) ?? 0) + service.ms - before);
      }
      const own = process.cpuUsage(start.own);
      split.set('benchmark', (own.user + own.system) / 1000);
      split.set('PostgreSQL, Redis, other', Math.max(0, end.machine - start.machine - totalOf(split)));
      return split;
    },
  };
}

/** A markdown table of CPU ms per message by part, most first, and the total. */
export function cpuTable(split: CpuSplit, messages: number): string {
  const rows = [...split.entries()].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]);
  const total = totalOf(split);
  const per = (ms: number) => (ms / messages).toFixed(2);
  return [
    '| part | CPU ms per message | share |',
    '|---|---|---|',
    ...rows.map(([part, ms]) => `| ${part} | ${per(ms)} | ${Math.round((100 * ms) / total)}% |`),
    `| all | ${per(total)} | 100% |`,
  ].join('\n');
}
