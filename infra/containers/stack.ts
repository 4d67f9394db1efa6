// Runs the services of docker-compose.yml with podman as `docker compose up` would: one network on which each
// container answers to its service's name (so `realtime` resolves to every replica), the named volumes, the secrets
// mounted read-only at /run/secrets, each service started once its depends_on conditions hold (healthy, completed
// successfully), its health check run in the container. Everything made carries the project's label and goes in down().
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Compose, Condition, Service } from './compose.ts';
import { info, seconds } from './log.ts';
import { podman } from './proc.ts';

export type StackOptions = {
  project: string;
  compose: Compose;
  /** The image each service runs. */
  images: Record<string, string>;
  /** Where published ports listen on this machine. */
  bindAddress: string;
  logDir: string;
  /** How long a service may take to become healthy. */
  healthTimeoutMs: number;
};

export class Stack {
  readonly network: string;
  private readonly label: string;
  private readonly containers = new Map<string, string[]>();
  private readonly waits = new Map<string, Promise<void>>();
  private readonly from = performance.now();
  private readonly options: StackOptions;
  private goingDown = false;

  constructor(options: StackOptions) {
    this.options = options;
    this.network = options.project;
    this.label = `chat.containers.project=${options.project}`;
  }

  private service(name: string): Service {
    const s = this.options.compose.services.find((x) => x.name === name);
    if (!s) throw new Error(`no service ${name} in docker-compose.yml`);
    return s;
  }

  private since = () => seconds(performance.now() - this.from);

  /** The containers of a service, replica 1 first. */
  containersOf(service: string): string[] {
    return this.containers.get(service) ?? [];
  }

  async up(): Promise<void> {
    const { compose, project } = this.options;
    await podman(['network', 'create', '--label', this.label, this.network]);
    for (const v of compose.volumes) await podman(['volume', 'create', '--label', this.label, `${project}_${v}`]);
    await Promise.all(compose.services.map((s) => this.once(s.name, 'service_started')));
    await Promise.all(compose.services.filter((s) => s.healthcheck).map((s) => this.once(s.name, 'service_healthy')));
  }

  /** Waits for a condition of a service, starting it (after its own dependencies) if it has not been. */
  private once(name: string, condition: Condition): Promise<void> {
    const key = `${name}:${condition}`;
    let wait = this.waits.get(key);
    if (!wait) {
      wait =
        condition === 'service_started'
          ? this.start(this.service(name))
          : this.once(name, 'service_started').then(() =>
              condition === 'service_healthy' ? this.healthy(this.service(name)) : this.completed(this.service(name)),
            );
      this.waits.set(key, wait);
    }
    return wait;
  }

  private async start(s: Service): Promise<void> {
    await Promise.all(Object.entries(s.dependsOn).map(([dep, condition]) => this.once(dep, condition)));
    const image = this.options.images[s.name];
    if (!image) throw new Error(`no image for ${s.name}`);
    const names: string[] = [];
    for (let i = 1; i <= s.replicas; i++) {
      if (this.goingDown) throw new Error(`${s.name} not started: the stack is being removed`);
      const name = `${this.options.project}-${s.name}-${i}`;
      if (s.ports.length > 0 && s.replicas > 1) throw new Error(`${s.name}: published ports and replicas`);
      await podman([
        'run',
        '--detach',
        '--name',
        name,
        '--label',
        this.label,
        '--label',
        `chat.containers.service=${s.name}`,
        '--network',
        this.network,
        '--network-alias',
        s.name,
        ...(s.restart ? ['--restart', s.restart] : []),
        ...Object.entries(s.environment).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        ...s.secrets.flatMap((x) => ['--volume', `${x.file}:/run/secrets/${x.name}:ro`]),
        ...s.volumes.flatMap((v) => [
          '--volume',
          `${this.options.project}_${v.volume}:${v.target}${v.readOnly ? ':ro' : ''}`,
        ]),
        ...s.ports.flatMap((p) => ['--publish', `${this.options.bindAddress}:${p.host}:${p.container}`]),
        image,
        ...(s.command ?? []),
      ]);
      names.push(name);
    }
    this.containers.set(s.name, names);
    info(`${this.since().padStart(7)}  ${s.name}: started ${names.join(', ')}`);
  }

  private async state(container: string) {
    const r = await podman(
      ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}', container],
      { allowFailure: true },
    );
    const [status = 'gone', exitCode = '0', restarts = '0'] = r.stdout.trim().split(' ');
    return { status, exitCode: Number(exitCode), restarts: Number(restarts) };
  }

  private async logsOf(container: string, lines = 25): Promise<string> {
    const r = await podman(['logs', '--tail', String(lines), container], { allowFailure: true });
    return `--- last lines of ${container}:\n${`${r.stdout}${r.stderr}`.trimEnd()}`;
  }

  /** Runs the health check in each replica until it passes, as the engine would. */
  private async healthy(s: Service): Promise<void> {
    const check = s.healthcheck;
    if (!check) throw new Error(`${s.name} has no health check to wait for`);
    const started = performance.now();
    await Promise.all(
      this.containersOf(s.name).map(async (container) => {
        const deadline = started + Math.max(this.options.healthTimeoutMs, check.intervalMs * check.retries);
        let last = '';
        for (;;) {
          const state = await this.state(container);
          const crashed = state.status === 'exited' && (s.restart === 'no' || !s.restart);
          if (crashed || state.restarts > 3 || state.status === 'gone' || performance.now() > deadline) {
            const why = crashed
              ? `exited ${state.exitCode}`
              : state.restarts > 3
                ? `restarted ${state.restarts} times`
                : `not healthy within ${seconds(performance.now() - started)}`;
            const said = last ? `\n--- the health check's last answer: ${last}` : '';
            throw new Error(`${container} ${why}${said}\n${await this.logsOf(container)}`);
          }
          if (state.status === 'running') {
            const r = await podman(['exec', container, ...check.test], {
              allowFailure: true,
              timeoutMs: check.timeoutMs + 10_000,
            });
            if (r.code === 0) return;
            last = `exit ${r.code} ${`${r.stdout}${r.stderr}`.trim().slice(-500)}`;
          }
          await sleep(1_000);
        }
      }),
    );
    info(`${this.since().padStart(7)}  ${s.name}: healthy (${seconds(performance.now() - started)} after its start)`);
  }

  /** Waits for a one-shot service to exit 0. */
  private async completed(s: Service): Promise<void> {
    const started = performance.now();
    for (const container of this.containersOf(s.name)) {
      const r = await podman(['wait', container], { timeoutMs: this.options.healthTimeoutMs });
      const code = Number(r.stdout.trim());
      if (code !== 0) throw new Error(`${container} exited ${code}\n${await this.logsOf(container)}`);
    }
    info(`${this.since().padStart(7)}  ${s.name}: completed, exit 0 (${seconds(performance.now() - started)})`);
  }

  /** The host name a container runs with (the realtime node's id is `<hostname>-<port>`). */
  async hostnameOf(container: string): Promise<string> {
    return (await podman(['inspect', '--format', '{{.Config.Hostname}}', container])).stdout.trim();
  }

  /** Stops one container as `docker compose stop` does: SIGTERM, SIGKILL after the grace period. */
  async stop(container: string, graceSeconds = 10): Promise<void> {
    await podman(['stop', '--time', String(graceSeconds), container], { timeoutMs: (graceSeconds + 30) * 1000 });
  }

  /** Kills one container at once (SIGKILL), as a crash or a lost machine would. */
  async kill(container: string): Promise<void> {
    await podman(['kill', '--signal', 'KILL', container], { timeoutMs: 30_000 });
  }

  /** Removes every container, the network and the volumes of the project; with `saveLogs`, keeps their logs first. */
  async down(saveLogs = false): Promise<string[]> {
    this.goingDown = true;
    const filter = ['--filter', `label=${this.label}`];
    const ids = (await podman(['ps', '--all', '--quiet', ...filter], { allowFailure: true })).stdout.split(/\s+/);
    const containers = ids.filter(Boolean);
    const saved: string[] = [];
    if (saveLogs) {
      for (const names of this.containers.values()) {
        for (const name of names) {
          const r = await podman(['logs', name], { allowFailure: true });
          const file = path.join(this.options.logDir, `${name}.log`);
          writeFileSync(file, `${r.stdout}${r.stderr}`);
          saved.push(file);
        }
      }
    }
    if (containers.length > 0) {
      await podman(['rm', '--force', '--time', '2', ...containers], { allowFailure: true, timeoutMs: 120_000 });
    }
    await podman(['network', 'rm', '--force', this.network], { allowFailure: true });
    const volumes = (await podman(['volume', 'ls', '--quiet', ...filter], { allowFailure: true })).stdout.split(/\s+/);
    for (const v of volumes.filter(Boolean)) await podman(['volume', 'rm', '--force', v], { allowFailure: true });
    info(`removed ${containers.length} containers, network ${this.network}, ${volumes.filter(Boolean).length} volumes`);
    return saved;
  }
}
