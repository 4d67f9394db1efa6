// The Kubernetes base (infra/k8s) is valid and agrees with the code, offline: it is rendered the way kustomize does
// (it uses only `resources` and `images`), every object is checked against the Kubernetes API schemas (the
// precompiled validators of kubernetes-models), and then against the product's rules: probes on declared ports,
// every variable a service needs in production set and accepted by that service's own config parser, secrets only by
// reference, the realtime nodes behind a headless Service the gateway expands, with an autoscaler, a disruption
// budget and a drain before they stop.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DEV_INTERNAL_TOKEN, DEV_KEY_DIR, migrateConfigShape, parseConfig, repoRoot } from '@chat/kit';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { gatewayConfigShape } from '../gateway/src/config.ts';
import { authConfigShape } from '../services/auth/src/config.ts';
import { chatHistoryConfigShape } from '../services/chat-history/src/config.ts';
import { receiptsWorkerConfigShape } from '../services/chat-history/src/receipts/config.ts';
import { mediaConfigShape } from '../services/media/src/config.ts';
import { realtimeConfigShape } from '../services/realtime/src/config.ts';

const base = path.join(repoRoot, 'infra/k8s');
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, walked by the checks below
type Obj = Record<string, any>;

/** The keys of kustomization.yaml this renderer understands; anything else would render differently in kustomize. */
const SUPPORTED = ['apiVersion', 'kind', 'resources', 'images'];

function loadYaml(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Obj;
  });
}

function podSpecOf(o: Obj): Obj | undefined {
  if (o.kind === 'Deployment' || o.kind === 'Job') return o.spec?.template?.spec;
  return undefined;
}

function containersOf(o: Obj): Obj[] {
  const spec = podSpecOf(o);
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** `kustomize build infra/k8s`, for the features the base uses. */
function render(): Obj[] {
  const kustomization = parse(readFileSync(path.join(base, 'kustomization.yaml'), 'utf8')) as Obj;
  const unsupported = Object.keys(kustomization).filter((k) => !SUPPORTED.includes(k));
  if (unsupported.length > 0) throw new Error(`kustomization.yaml uses ${unsupported.join(', ')}`);
  const objects = (kustomization.resources as string[]).flatMap((file) => loadYaml(path.join(base, file)));
  const images = (kustomization.images ?? []) as { name: string; newName?: string; newTag?: string }[];
  for (const o of objects) {
    for (const c of containersOf(o)) {
      const [name] = String(c.image).split(/[:@]/);
      const rule = images.find((i) => i.name === name);
      if (rule) c.image = `${rule.newName ?? rule.name}${rule.newTag ? `:${rule.newTag}` : ''}`;
    }
  }
  return objects;
}

/** The API schema of each kind the base may use; any other kind is an error. */
const schemas: Record<string, (data: Obj) => { validate(): void }> = {
  'v1/ConfigMap': (d) => new ConfigMap(d as ConstructorParameters<typeof ConfigMap>[0]),
  'v1/Service': (d) => new Service(d as ConstructorParameters<typeof Service>[0]),
  'apps/v1/Deployment': (d) => new Deployment(d as ConstructorParameters<typeof Deployment>[0]),
  'batch/v1/Job': (d) => new Job(d as ConstructorParameters<typeof Job>[0]),
  'autoscaling/v2/HorizontalPodAutoscaler': (d) =>
    new HorizontalPodAutoscaler(d as ConstructorParameters<typeof HorizontalPodAutoscaler>[0]),
  'policy/v1/PodDisruptionBudget': (d) =>
    new PodDisruptionBudget(d as ConstructorParameters<typeof PodDisruptionBudget>[0]),
  'networking.k8s.io/v1/Ingress': (d) => new Ingress(d as ConstructorParameters<typeof Ingress>[0]),
};

/** Schema errors of every object, as `Kind/name: message`. */
function schemaProblems(objects: Obj[]): string[] {
  return objects.flatMap((o) => {
    const id = `${o.kind}/${o.metadata?.name}`;
    const schema = schemas[`${o.apiVersion}/${o.kind}`];
    if (!schema) return [`${id}: no schema for ${o.apiVersion} ${o.kind}`];
    try {
      schema(o).validate();
      return [];
    } catch (err) {
      return [`${id}: ${(err as Error).message}`];
    }
  });
}

/** Deployment (or Job) name → the variables its process reads, and its image's Dockerfile target. */
const services: Record<string, { shape: Record<string, unknown>; port?: number }> = {
  auth: { shape: authConfigShape, port: 3001 },
  'chat-history': { shape: chatHistoryConfigShape, port: 3002 },
  receipts: { shape: receiptsWorkerConfigShape, port: 3005 },
  realtime: { shape: realtimeConfigShape, port: 3003 },
  media: { shape: mediaConfigShape, port: 3006 },
  gateway: { shape: gatewayConfigShape, port: 8080 },
  migrate: { shape: migrateConfigShape },
};

/** The Secret the operator creates, and its keys (documented in docs/operations.md). */
const SECRET = 'chat-secrets';
const SECRET_KEYS = [
  'database-url',
  'redis-url',
  'internal-token',
  'jwt-private.pem',
  'jwt-public.pem',
  'vapid.json',
  'media-s3-access-key-id',
  'media-s3-secret-access-key',
];
/** Stand-ins for the Secret's values, to run each service's config parser on what the manifests give it. */
const secretStandIns: Record<string, string> = {
  'database-url': 'postgres://chat:stand-in@db.example.internal:5432/chat',
  'redis-url': 'redis://:stand-in@redis.example.internal:6379',
  'internal-token': 'a-production-internal-token-stand-in',
  'media-s3-access-key-id': 'stand-in-access-key',
  'media-s3-secret-access-key': 'stand-in-secret-key',
};

/**
 * Variables a service must be given in production: those whose default points at this machine (loopback,
 * localhost), at a development key, or is the development token, and NODE_ENV itself (the gateway also needs
 * OPS_PORT: its readiness probe is there).
 */
function requiredInProduction(name: string): string[] {
  const { shape } = services[name] as { shape: Record<string, unknown> };
  const defaults = parseConfig(shape as Parameters<typeof parseConfig>[0], {}) as Record<string, unknown>;
  const required = Object.entries(defaults)
    .filter(([, value]) => {
      const text = JSON.stringify(value) ?? '';
      return (
        text.includes('127.0.0.1') ||
        text.includes('localhost') ||
        text.includes(DEV_KEY_DIR) ||
        text.includes(DEV_INTERNAL_TOKEN)
      );
    })
    .map(([key]) => key);
  return [...required, 'NODE_ENV', ...(name === 'gateway' ? ['OPS_PORT'] : [])];
}

function configMapData(objects: Obj[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]),
  );
}

/** A container's environment as the pod would see it, secrets replaced by stand-ins; problems where it can't. */
function environmentOf(container: Obj, objects: Obj[], problems: string[], id: string): Record<string, string> {
  const maps = configMapData(objects);
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const from = e.valueFrom as Obj | undefined;
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (from?.configMapKeyRef) {
      const { name, key } = from.configMapKeyRef;
      const value = maps[name]?.[key];
      if (value === undefined) problems.push(`${id}: ${e.name} refers to ${name}.${key}, which does not exist`);
      else env[e.name] = value;
    } else if (from?.secretKeyRef) {
      const { name, key } = from.secretKeyRef;
      if (name !== SECRET || !SECRET_KEYS.includes(key)) problems.push(`${id}: ${e.name} refers to ${name}.${key}`);
      env[e.name] = secretStandIns[key] ?? 'stand-in';
    } else if (from?.fieldRef) env[e.name] = 'pod-name';
    else problems.push(`${id}: ${e.name} has no value`);
  }
  for (const from of container.envFrom ?? [])
    problems.push(`${id}: envFrom ${JSON.stringify(from)}: name each variable`);
  return env;
}

const SECRET_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'INTERNAL_TOKEN'];

function declaresPort(container: Obj, port: unknown): boolean {
  return (container.ports ?? []).some((p: Obj) => p.name === port || p.containerPort === port);
}

/** Everything the product needs of the base; an empty list when all is well. */
function productProblems(objects: Obj[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
  const kustomization = parse(readFileSync(path.join(base, 'kustomization.yaml'), 'utf8')) as Obj;
  const tags = new Map<string, string>(
    (kustomization.images as Obj[]).map((i) => [i.name as string, i.newTag as string]),
  );

  for (const name of Object.keys(services)) {
    if (!find(name === 'migrate' ? 'Job' : 'Deployment', name)) problems.push(`${name}: no workload`);
  }
  for (const o of objects) {
    if (o.kind === 'Secret') problems.push(`Secret/${o.metadata?.name}: secret values do not belong in the repository`);
    if (o.metadata?.namespace) problems.push(`${o.kind}/${o.metadata.name}: the base names no namespace`);
  }

  for (const w of workloads) {
    const name = w.metadata.name as string;
    const id = `${w.kind}/${name}`;
    const service = services[name];
    const pod = podSpecOf(w) as Obj;
    if (!service) {
      problems.push(`${id}: not a service of the product`);
      continue;
    }
    if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${id}: runAsNonRoot is not set`);
    if (!(Number(pod.securityContext?.runAsUser) > 0)) problems.push(`${id}: runAsUser is not a non-root uid`);
    const containers = containersOf(w);
    if (containers.length !== 1) problems.push(`${id}: one container expected`);
    for (const c of containers) {
      const cid = `${id}/${c.name}`;
      if (c.image !== `chat/${name}:${tags.get(`chat/${name}`)}`) problems.push(`${cid}: image ${c.image}`);
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${cid}: allowPrivilegeEscalation`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${cid}: readOnlyRootFilesystem`);
      if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${cid}: capabilities are not all dropped`);
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (!c.resources?.[kind]?.[resource]) problems.push(`${cid}: no ${resource} ${kind}`);
        }
      }

      // probes: liveness on /healthz, readiness on /readyz, each on a port the container declares
      if (w.kind === 'Deployment') {
        for (const [probe, pathWanted] of [
          ['livenessProbe', '/healthz'],
          ['readinessProbe', '/readyz'],
        ] as const) {
          const get = c[probe]?.httpGet;
          if (!get) problems.push(`${cid}: no ${probe}`);
          else {
            if (get.path !== pathWanted) problems.push(`${cid}: ${probe} on ${get.path}, not ${pathWanted}`);
            if (!declaresPort(c, get.port)) problems.push(`${cid}: ${probe} on port ${get.port}, not declared`);
          }
        }
      }

      // environment: only variables the process reads; all it needs in production; accepted by its own parser
      const env = environmentOf(c, objects, problems, cid);
      const variables = Object.keys(service.shape);
      const unread = Object.keys(env).filter((v) => !variables.includes(v));
      if (unread.length > 0) problems.push(`${cid}: given ${unread.join(', ')}, which it never reads`);
      if (name !== 'migrate') {
        const missing = requiredInProduction(name).filter((v) => env[v] === undefined);
        if (missing.length > 0) problems.push(`${cid}: ${missing.join(', ')} not set`);
        if (env.NODE_ENV !== 'production') problems.push(`${cid}: NODE_ENV is ${env.NODE_ENV}`);
        if (env.HOST !== '0.0.0.0') problems.push(`${cid}: HOST ${env.HOST} is not reachable from other pods`);
        if (Number(env.PORT) !== service.port || !declaresPort(c, service.port)) {
          problems.push(`${cid}: PORT ${env.PORT} is not its declared port ${service.port}`);
        }
      } else if (env.DATABASE_URL === undefined) problems.push(`${cid}: DATABASE_URL not set`);
      try {
        parseConfig(service.shape as Parameters<typeof parseConfig>[0], env);
      } catch (err) {
        problems.push(`${cid}: its config parser refuses the environment: ${(err as Error).message}`);
      }
      for (const e of c.env ?? []) {
        if (SECRET_VARIABLES.includes(e.name) && !e.valueFrom?.secretKeyRef) {
          problems.push(`${cid}: ${e.name} must come from the Secret ${SECRET}`);
        }
      }

      // key files: each *_FILE variable names a file of a mounted volume of the Secret that projects it
      for (const [variable, file] of Object.entries(env).filter(([v]) => v.endsWith('_FILE'))) {
        const mount = (c.volumeMounts ?? []).find((m: Obj) => path.dirname(file) === m.mountPath);
        const volume = (pod.volumes ?? []).find((v: Obj) => v.name === mount?.name);
        const items: Obj[] = volume?.secret?.items ?? [];
        if (volume?.secret?.secretName !== SECRET || !items.some((i) => i.path === path.basename(file))) {
          problems.push(`${cid}: ${variable} ${file} is not a file of the Secret ${SECRET} mounted there`);
        }
        if (items.some((i) => !SECRET_KEYS.includes(i.key))) problems.push(`${cid}: mounts an unknown Secret key`);
      }
      // only auth holds the private key
      const mountsPrivate = (pod.volumes ?? []).some((v: Obj) =>
        (v.secret?.items ?? []).some((i: Obj) => i.key === 'jwt-private.pem'),
      );
      if (mountsPrivate && name !== 'auth') problems.push(`${cid}: only auth may have the JWT private key`);
    }
  }

  // literal values: nothing that looks like a secret, anywhere
  for (const [name, data] of Object.entries(configMapData(objects))) {
    for (const [key, value] of Object.entries(data)) {
      if (/TOKEN|PASSWORD|SECRET|PRIVATE/i.test(key) || /-----BEGIN|:\/\/[^/@]*:[^/@]*@/.test(value)) {
        problems.push(`ConfigMap/${name}: ${key} looks like a secret`);
      }
    }
  }
  const text = JSON.stringify(objects);
  if (text.includes(DEV_INTERNAL_TOKEN) || text.includes('-----BEGIN'))
    problems.push('a literal secret is in the base');

  // every Service selects the pods of one Deployment and targets a port they declare
  for (const s of objects.filter((o) => o.kind === 'Service')) {
    const selector = Object.entries((s.spec?.selector ?? {}) as Record<string, string>);
    const selected = objects.filter(
      (o) =>
        o.kind === 'Deployment' &&
        selector.length > 0 &&
        selector.every(([k, v]) => o.spec.template.metadata?.labels?.[k] === v),
    );
    if (selected.length !== 1) problems.push(`Service/${s.metadata.name}: selects ${selected.length} Deployments`);
    for (const p of s.spec?.ports ?? []) {
      if (selected[0] && !containersOf(selected[0]).some((c) => declaresPort(c, p.targetPort ?? p.port))) {
        problems.push(`Service/${s.metadata.name}: port ${p.targetPort} is not declared by its pods`);
      }
    }
  }

  // realtime: headless Service the gateway expands, autoscaled, disruption budget, drained before it stops
  const realtime = find('Deployment', 'realtime');
  const headless = find('Service', 'realtime');
  if (headless?.spec?.clusterIP !== 'None') problems.push('Service/realtime is not headless');
  const gateway = find('Deployment', 'gateway');
  const gatewayEnv = gateway ? environmentOf(containersOf(gateway)[0] as Obj, objects, [], 'gateway') : {};
  const servicePort = headless?.spec?.ports?.[0]?.port;
  if (gatewayEnv.REALTIME_URLS !== `http://realtime:${servicePort}`) {
    problems.push(`gateway: REALTIME_URLS ${gatewayEnv.REALTIME_URLS} is not the headless Service realtime`);
  }
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.name === 'realtime');
  if (hpa?.apiVersion !== 'autoscaling/v2' || hpa?.spec?.scaleTargetRef?.kind !== 'Deployment') {
    problems.push('realtime: no autoscaling/v2 HorizontalPodAutoscaler');
  } else {
    if (!hpa.spec.metrics?.some((m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu')) {
      problems.push('realtime: the autoscaler does not scale on CPU');
    }
    if (!(hpa.spec.minReplicas >= 2)) problems.push('realtime: fewer than 2 nodes at the least');
  }
  if (realtime?.spec?.replicas !== undefined) problems.push('realtime: replicas set; the autoscaler owns the count');
  const pdb = objects.find(
    (o) =>
      o.kind === 'PodDisruptionBudget' &&
      o.spec?.selector?.matchLabels?.['app.kubernetes.io/name'] === 'realtime' &&
      realtime?.spec?.template?.metadata?.labels?.['app.kubernetes.io/name'] === 'realtime',
  );
  if (!pdb || (pdb.spec.minAvailable === undefined && pdb.spec.maxUnavailable === undefined)) {
    problems.push('realtime: no PodDisruptionBudget');
  }
  if (realtime) {
    const container = containersOf(realtime)[0] as Obj;
    const drain = container.lifecycle?.preStop?.exec?.command?.join(' ') ?? '';
    if (!drain.includes('/drain')) problems.push('realtime: no preStop drain');
    // the hook's wait, plus the 10 s a service takes at most to stop after SIGTERM
    const hookSeconds = Number(/Date\.now\(\) \+ ([\d_]+)/.exec(drain)?.[1]?.replaceAll('_', '') ?? 0) / 1000;
    if (!(realtime.spec.template.spec.terminationGracePeriodSeconds >= hookSeconds + 10)) {
      problems.push('realtime: terminationGracePeriodSeconds shorter than the drain and the stop');
    }
  }
  return problems;
}

const objects = render();
const clone = (): Obj[] => structuredClone(objects);

describe('Kubernetes base (infra/k8s)', () => {
  it('renders every object of the product', () => {
    const ids = objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(ids).toEqual(
      [
        'ConfigMap/chat-config',
        'Job/migrate',
        ...['auth', 'chat-history', 'receipts', 'realtime', 'media', 'gateway'].flatMap((s) => [
          `Deployment/${s}`,
          `Service/${s}`,
        ]),
        'HorizontalPodAutoscaler/realtime',
        'PodDisruptionBudget/realtime',
        'PodDisruptionBudget/gateway',
      ].sort(),
    );
  });

  it('is valid against the Kubernetes API schemas', () => {
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('has an Ingress example that is valid and reaches the gateway', () => {
    const examples = loadYaml(path.join(base, 'examples/ingress.yaml'));
    expect(schemaProblems(examples)).toEqual([]);
    const backend = examples[0]?.spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe('gateway');
    expect(
      objects.find((o) => o.kind === 'Service' && o.metadata.name === 'gateway')?.spec.ports.map((p: Obj) => p.name),
    ).toContain(backend.port.name);
  });

  it('rejects an object the schemas do not allow', () => {
    const broken = clone();
    const auth = broken.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth') as Obj;
    delete auth.spec.template.spec.containers;
    const hpa = broken.find((o) => o.kind === 'HorizontalPodAutoscaler') as Obj;
    hpa.spec.minReplicas = 'two';
    const problems = schemaProblems(broken);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/Deployment\/auth: .*containers/);
    expect(problems[1]).toMatch(/HorizontalPodAutoscaler\/realtime: .*minReplicas/);
    expect(schemaProblems([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }])).toEqual([
      'Secret/x: no schema for v1 Secret',
    ]);
  });

  it('meets the product rules', () => {
    expect(productProblems(objects)).toEqual([]);
  });

  it('catches a base that breaks them', () => {
    const cases: [string, (o: Obj[]) => void, RegExp][] = [
      [
        'no readiness probe',
        (o) => delete containersOf(o.find((x) => x.metadata.name === 'chat-history') as Obj)[0]?.readinessProbe,
        /chat-history: no readinessProbe/,
      ],
      [
        'a probe on an undeclared port',
        (o) => {
          const gateway = containersOf(o.find((x) => x.kind === 'Deployment' && x.metadata.name === 'gateway') as Obj);
          (gateway[0] as Obj).readinessProbe.httpGet.port = 9999;
        },
        /readinessProbe on port 9999, not declared/,
      ],
      [
        'a literal secret',
        (o) => {
          const env = containersOf(o.find((x) => x.metadata.name === 'auth') as Obj)[0]?.env as Obj[];
          const token = env.find((e) => e.name === 'INTERNAL_TOKEN') as Obj;
          delete token.valueFrom;
          token.value = 'not-really-a-secret-but-literal';
        },
        /INTERNAL_TOKEN must come from the Secret/,
      ],
      [
        'a variable needed in production left out',
        (o) => {
          const c = containersOf(o.find((x) => x.metadata.name === 'realtime') as Obj)[0] as Obj;
          c.env = c.env.filter((e: Obj) => e.name !== 'CHAT_HISTORY_URL');
        },
        /realtime\/realtime: CHAT_HISTORY_URL not set/,
      ],
      [
        'a value its config parser refuses',
        (o) => {
          (o.find((x) => x.kind === 'ConfigMap') as Obj).data.VAPID_SUBJECT = 'admin@example.com';
        },
        /receipts: its config parser refuses the environment: .*VAPID_SUBJECT/,
      ],
      [
        'realtime behind a virtual IP',
        (o) => {
          delete (o.find((x) => x.kind === 'Service' && x.metadata.name === 'realtime') as Obj).spec.clusterIP;
        },
        /Service\/realtime is not headless/,
      ],
      [
        'the gateway pointed elsewhere',
        (o) => {
          (o.find((x) => x.kind === 'ConfigMap') as Obj).data.REALTIME_URLS = 'http://realtime-lb:3003';
        },
        /REALTIME_URLS http:\/\/realtime-lb:3003 is not the headless Service/,
      ],
      [
        'no autoscaler',
        (o) =>
          o.splice(
            o.findIndex((x) => x.kind === 'HorizontalPodAutoscaler'),
            1,
          ),
        /no autoscaling\/v2 HorizontalPodAutoscaler/,
      ],
      [
        'no disruption budget',
        (o) =>
          o.splice(
            o.findIndex((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === 'realtime'),
            1,
          ),
        /realtime: no PodDisruptionBudget/,
      ],
      [
        'a short grace period',
        (o) => {
          (
            o.find((x) => x.kind === 'Deployment' && x.metadata.name === 'realtime') as Obj
          ).spec.template.spec.terminationGracePeriodSeconds = 30;
        },
        /terminationGracePeriodSeconds shorter/,
      ],
      [
        'the private key beyond auth',
        (o) => {
          const volume = podSpecOf(o.find((x) => x.metadata.name === 'chat-history') as Obj)?.volumes[0];
          volume.secret.items.push({ key: 'jwt-private.pem', path: 'jwt-private.pem' });
        },
        /chat-history: only auth may have the JWT private key/,
      ],
      [
        'a root container',
        (o) => {
          (podSpecOf(o.find((x) => x.kind === 'Job') as Obj) as Obj).securityContext.runAsNonRoot = false;
        },
        /Job\/migrate: runAsNonRoot is not set/,
      ],
    ];
    for (const [what, breakIt, expected] of cases) {
      const broken = clone();
      breakIt(broken);
      expect(productProblems(broken).join('\n'), what).toMatch(expected);
    }
  });

  it('runs in each image the command its Dockerfile stage runs', () => {
    const entries: Record<string, string> = {};
    let stage = '';
    for (const line of read('infra/Dockerfile').split('\n')) {
      const from = /^FROM \S+ AS (\S+)/.exec(line);
      if (from) stage = from[1] as string;
      const cmd = /^CMD \[(.+)\]$/.exec(line);
      if (cmd) entries[stage] = cmd[1] as string;
    }
    for (const name of Object.keys(services)) {
      expect(entries[name], `a Dockerfile stage for chat/${name}`).toBeDefined();
      const workload = objects.find((o) => (o.kind === 'Deployment' || o.kind === 'Job') && o.metadata.name === name);
      const command = containersOf(workload as Obj)[0]?.command as string[] | undefined;
      if (command) expect(command.map((part) => JSON.stringify(part)).join(', ')).toBe(entries[name]);
    }
  });

  it('drains a realtime node with its preStop hook', async () => {
    const realtime = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'realtime') as Obj;
    const [program, flag, script] = (containersOf(realtime)[0] as Obj).lifecycle.preStop.exec.command as string[];
    expect([program, flag]).toEqual(['node', '-e']);
    const token = 'the-internal-token-of-this-test';
    const seen: string[] = [];
    let sockets = 3;
    const node = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/drain') {
        seen.push(`drain ${req.headers['x-internal-token']}`);
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"draining":true}');
        return;
      }
      seen.push('status');
      sockets = Math.max(0, sockets - 2);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sockets, draining: true }));
    });
    node.listen(0, '127.0.0.1');
    await once(node, 'listening');
    try {
      const hook = spawn(process.execPath, ['-e', script as string], {
        env: { PATH: process.env.PATH, PORT: String((node.address() as AddressInfo).port), INTERNAL_TOKEN: token },
        stdio: 'ignore',
      });
      const [code] = await once(hook, 'exit');
      expect(code).toBe(0);
      // drained with the token, then waited until the node held no socket
      expect(seen).toEqual([`drain ${token}`, 'status', 'status']);
    } finally {
      node.close();
    }
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

  it.skipIf(!kubectl)('renders as kubectl kustomize does', () => {
    const result = spawnSync('kubectl', ['kustomize', base], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
    const sorted = (list: Obj[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    const theirs = parseAllDocuments(result.stdout).map((d) => d.toJS() as Obj);
    expect(sorted(objects)).toEqual(sorted(theirs));
  });

  it('is documented: how to apply it and every key of the Secret', () => {
    const guide = read('docs/operations.md');
    expect(guide.includes('kubectl apply -k infra/k8s'), 'how to apply it').toBe(true);
    expect(
      SECRET_KEYS.filter((key) => !guide.includes(`\`${key}\``)),
      'Secret keys the guide does not name',
    ).toEqual([]);
    expect(read('README.md').includes('infra/k8s'), 'the README points there').toBe(true);
  });
});
