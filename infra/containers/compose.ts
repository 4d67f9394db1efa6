// docker-compose.yml read as `docker compose` reads it, for what the file uses: variables interpolated from the given
// environment (${X}, ${X:-default}, ${X:?error}, $$), YAML anchors and merge keys, and each service's image or build,
// command, environment, secrets, named volumes, ports, health check, depends_on conditions and replicas.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export type Condition = 'service_started' | 'service_healthy' | 'service_completed_successfully';
export type HealthCheck = { test: string[]; intervalMs: number; timeoutMs: number; retries: number };
export type Service = {
  name: string;
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment: Record<string, string>;
  secrets: { name: string; file: string }[];
  volumes: { volume: string; target: string; readOnly: boolean }[];
  ports: { host: string; container: string }[];
  healthcheck?: HealthCheck;
  dependsOn: Record<string, Condition>;
  replicas: number;
  restart?: string;
};
export type Compose = { services: Service[]; volumes: string[] };

type Raw = Record<string, unknown>;

/** Interpolates one string as compose does. */
export function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      if (bare) return vars[bare] ?? '';
      const value = vars[name as string];
      const unset = colon ? !value : value === undefined;
      if (op === '-') return unset ? interpolate(arg ?? '', vars) : (value as string);
      if (op === '?') {
        if (unset) throw new Error(`docker-compose.yml needs ${name}: ${arg || 'not set'}`);
        return value as string;
      }
      return value ?? '';
    },
  );
}

function interpolateAll(node: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, vars);
  if (Array.isArray(node)) return node.map((n) => interpolateAll(n, vars));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, vars)]));
  }
  return node;
}

/** Compose durations: 5s, 1m30s, 500ms. */
function duration(text: unknown, fallbackMs: number): number {
  if (typeof text !== 'string') return fallbackMs;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) {
    ms += Number(n) * { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 }[unit as 'h' | 'm' | 's' | 'ms' | 'us'];
  }
  return ms || fallbackMs;
}

function healthCheck(raw: Raw | undefined): HealthCheck | undefined {
  if (!raw || raw.disable === true) return undefined;
  const test = raw.test;
  let argv: string[];
  if (typeof test === 'string') argv = ['/bin/sh', '-c', test];
  else if (Array.isArray(test) && test[0] === 'CMD') argv = test.slice(1).map(String);
  else if (Array.isArray(test) && test[0] === 'CMD-SHELL') argv = ['/bin/sh', '-c', String(test[1])];
  else return undefined;
  return {
    test: argv,
    intervalMs: duration(raw.interval, 30_000),
    timeoutMs: duration(raw.timeout, 30_000),
    retries: Number(raw.retries ?? 3),
  };
}

export function loadCompose(file: string, vars: Record<string, string | undefined>): Compose {
  const dir = path.dirname(file);
  const doc = interpolateAll(parse(readFileSync(file, 'utf8'), { merge: true }), vars) as Raw;
  const topSecrets = (doc.secrets ?? {}) as Record<string, { file: string }>;
  const services = Object.entries((doc.services ?? {}) as Record<string, Raw>).map(([name, raw]): Service => {
    const build = raw.build as Raw | undefined;
    const env = raw.environment as Record<string, unknown> | string[] | undefined;
    const environment: Record<string, string> = {};
    if (Array.isArray(env)) {
      for (const entry of env) {
        const [k, ...v] = String(entry).split('=');
        if (v.length > 0) environment[k as string] = v.join('=');
      }
    } else {
      for (const [k, v] of Object.entries(env ?? {})) if (v !== null && v !== undefined) environment[k] = String(v);
    }
    const dependsOn: Record<string, Condition> = {};
    const deps = raw.depends_on as Record<string, { condition?: Condition }> | string[] | undefined;
    if (Array.isArray(deps)) for (const d of deps) dependsOn[d] = 'service_started';
    else for (const [d, v] of Object.entries(deps ?? {})) dependsOn[d] = v?.condition ?? 'service_started';
    return {
      name,
      image: raw.image as string | undefined,
      build: build
        ? {
            context: path.resolve(dir, String(build.context ?? '.')),
            dockerfile: path.resolve(dir, String(build.context ?? '.'), String(build.dockerfile ?? 'Dockerfile')),
            target: build.target as string | undefined,
          }
        : undefined,
      command: Array.isArray(raw.command) ? raw.command.map(String) : undefined,
      environment,
      secrets: ((raw.secrets ?? []) as string[]).map((s) => {
        const secret = topSecrets[s];
        if (!secret?.file) throw new Error(`docker-compose.yml: secret ${s} of ${name} names no file`);
        return { name: s, file: path.resolve(dir, secret.file) };
      }),
      volumes: ((raw.volumes ?? []) as string[]).map((v) => {
        const [volume, target, mode] = v.split(':');
        if (!volume || !target || /^[./~]/.test(volume)) throw new Error(`${name}: only named volumes are run: ${v}`);
        return { volume, target, readOnly: mode === 'ro' };
      }),
      ports: ((raw.ports ?? []) as string[]).map((p) => {
        const parts = String(p).split(':');
        return { host: parts.at(-2) as string, container: parts.at(-1) as string };
      }),
      healthcheck: healthCheck(raw.healthcheck as Raw | undefined),
      dependsOn,
      replicas: Number((raw.deploy as Raw | undefined)?.replicas ?? 1),
      restart: raw.restart as string | undefined,
    };
  });
  return { services, volumes: Object.keys((doc.volumes ?? {}) as Raw) };
}

/** Reads KEY=VALUE lines (an .env file). */
export function readEnvFile(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1] as string] = (m[2] as string).replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}
