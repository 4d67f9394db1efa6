// Runs the services as child processes with prefixed output; reports and restarts a crashed child; stops them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type ServiceSpec = { name: string; entry: string; env: Record<string, string> };

const colors = [36, 33, 35, 32, 34, 31, 96, 93];

export type SupervisorOptions = {
  /** Where prefixed lines go (default: stdout). */
  output?: (line: string) => void;
  /** Restart a child that exits on its own (default: true). */
  restartCrashed?: boolean;
};

type Child = { spec: ServiceSpec; process?: ChildProcess; restarts: number; color: number; startedAt?: number };

/** A child up this long before it exits was not crash-looping: its next restart comes quickly again. */
export const STABLE_AFTER_MS = 30_000;

export class Supervisor {
  private readonly children: Child[] = [];
  private stopping = false;
  private readonly width: number;
  private readonly cwd: string;
  private readonly options: SupervisorOptions;

  constructor(specs: ServiceSpec[], cwd: string, options: SupervisorOptions = {}) {
    this.cwd = cwd;
    this.options = options;
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
      // the IPC channel closes when the launcher dies, however it dies, and the child then stops itself
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.process = proc;
    child.startedAt = Date.now();
    for (const stream of [proc.stdout, proc.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.write(`${this.prefix(child)} ${line}`));
    }
    proc.on('exit', (code, signal) => {
      if (this.stopping || child.process !== proc) return;
      if (this.options.restartCrashed === false) {
        this.write(`${this.prefix(child)} exited (${code ?? signal})`);
        return;
      }
      // a service that ran a while before crashing starts over with a short delay: only a crash loop backs off
      if (Date.now() - (child.startedAt ?? 0) >= STABLE_AFTER_MS) child.restarts = 0;
      child.restarts++;
      const delay = Math.min(500 * 2 ** Math.min(child.restarts, 5), 15_000);
      this.write(`${this.prefix(child)} CRASHED (exit ${code ?? signal}); restart #${child.restarts} in ${delay} ms`);
      setTimeout(() => !this.stopping && this.spawn(child), delay).unref();
    });
  }

  private write(line: string) {
    if (this.options.output) this.options.output(line);
    else process.stdout.write(`${line}\n`);
  }

  private child(name: string): Child {
    const child = this.children.find((c) => c.spec.name === name);
    if (!child) throw new Error(`no service ${name}`);
    return child;
  }

  /** Each service's name and the id of its running process (none while it is down): what benchmarks measure. */
  processes(): { name: string; pid?: number }[] {
    return this.children.map(({ spec, process: proc }) => ({
      name: spec.name,
      pid: proc && proc.exitCode === null && proc.signalCode === null ? proc.pid : undefined,
    }));
  }

  /** Sends a signal to one service (fault tests: SIGKILL a node) and resolves when it has exited. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.child(name).process;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  }

  /** Sends a signal and returns at once (fault tests: SIGSTOP freezes a node, SIGCONT thaws it). */
  signal(name: string, signal: NodeJS.Signals) {
    this.child(name).process?.kill(signal);
  }

  /** Starts a service again after kill(). */
  revive(name: string) {
    this.spawn(this.child(name));
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
