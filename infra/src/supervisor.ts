// Runs the services as child processes with prefixed output; reports and restarts a crashed child; stops them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type ServiceSpec = { name: string; entry: string; env: Record<string, string> };

const colors = [36, 33, 35, 32, 34, 31, 96, 93];

type Child = { spec: ServiceSpec; process?: ChildProcess; restarts: number; color: number };

export class Supervisor {
  private readonly children: Child[] = [];
  private stopping = false;
  private readonly width: number;
  private readonly cwd: string;

  constructor(specs: ServiceSpec[], cwd: string) {
    this.cwd = cwd;
    this.width = Math.max(...specs.map((s) => s.name.length));
    for (const [i, spec] of specs.entries()) {
      this.children.push({ spec, restarts: 0, color: colors[i % colors.length] ?? 36 });
    }
  }

  start() {
    for (const child of this.children) this.spawn(child);
  }

  private prefix(child: Child) {
    const label = child.spec.name.padEnd(this.width);
    return process.stdout.isTTY ? `\x1b[${child.color}m${label}\x1b[0m |` : `${label} |`;
  }

  private spawn(child: Child) {
    const proc = spawn(process.execPath, [child.spec.entry], {
      cwd: this.cwd,
      env: { ...process.env, ...child.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.process = proc;
    for (const stream of [proc.stdout, proc.stderr]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${this.prefix(child)} ${line}\n`));
    }
    proc.on('exit', (code, signal) => {
      if (this.stopping) return;
      child.restarts++;
      const delay = Math.min(500 * 2 ** Math.min(child.restarts, 5), 15_000);
      process.stderr.write(
        `${this.prefix(child)} CRASHED (exit ${code ?? signal}); restart #${child.restarts} in ${delay} ms\n`,
      );
      setTimeout(() => !this.stopping && this.spawn(child), delay).unref();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(
        ({ process: proc }) =>
          new Promise<void>((resolve) => {
            if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
            const timer = setTimeout(() => proc.kill('SIGKILL'), 12_000);
            proc.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            proc.kill('SIGTERM');
          }),
      ),
    );
  }
}
