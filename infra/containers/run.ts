// `npm run test:containers`: the stack of docker-compose.yml really running in containers, with podman and no image
// from a registry. It builds a local Debian base with Node 24 (cached), PostgreSQL and Redis images from Debian's
// packages, every service image from infra/Dockerfile on that base; runs the compose file's services in production
// mode with fresh secrets (two realtime replicas behind the gateway); checks through the gateway's published port
// that users log in, a message crosses between the replicas, a read receipt reaches its author, and that the chat goes
// on without loss when one replica is stopped. Always removes the containers, network and volumes it made.
// Exits 0 when every check passed, 1 with the reason otherwise. See docs/operations.md, "Containers that really run".
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webPush from 'web-push';
import {
  closeAll,
  directChat,
  gatewayServes,
  messageAcrossReplicas,
  type Person,
  readReceipt,
  socketsOnTwoReplicas,
  survivesStoppedReplica,
  twoUsers,
} from './checks.ts';
import { loadCompose, readEnvFile } from './compose.ts';
import { baseImage, build, dataImages, repoRoot } from './images.ts';
import { info, step, summary } from './log.ts';
import { containersConfPath, podman, run } from './proc.ts';
import { Stack } from './stack.ts';

const project = `chat-ct-${randomBytes(3).toString('hex')}`;
const workDir = mkdtempSync(path.join(tmpdir(), `${project}-`));
const secretsDir = path.join(workDir, 'secrets');
// CONTAINER_STOP=kill: the realtime replica is killed (SIGKILL) instead of stopped
const kill = process.env.CONTAINER_STOP === 'kill';
const healthTimeoutMs = Number(process.env.CONTAINER_HEALTH_TIMEOUT_SECONDS || 300) * 1000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A key pair, a VAPID pair, a database password and an internal token made for this run (production refuses dev ones). */
async function productionSecrets(): Promise<Record<string, string>> {
  mkdirSync(secretsDir, { mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const files = {
    AUTH_PRIVATE_KEY_PATH: path.join(secretsDir, 'jwt-private.pem'),
    AUTH_PUBLIC_KEY_PATH: path.join(secretsDir, 'jwt-public.pem'),
    VAPID_KEYS_PATH: path.join(secretsDir, 'vapid.json'),
  };
  writeFileSync(files.AUTH_PRIVATE_KEY_PATH, privateKey, { mode: 0o600 });
  writeFileSync(files.AUTH_PUBLIC_KEY_PATH, publicKey, { mode: 0o644 });
  writeFileSync(files.VAPID_KEYS_PATH, `${JSON.stringify(webPush.generateVAPIDKeys())}\n`, { mode: 0o600 });
  // the services run as the image's user node (uid 1000): the files are theirs, as the operations guide asks
  const all = Object.values(files);
  if (process.getuid?.() === 0) for (const f of all) chownSync(f, 1000, 1000);
  else await podman(['unshare', 'chown', '1000:1000', ...all]);
  info(`ES256 key pair, VAPID keys, POSTGRES_PASSWORD and INTERNAL_TOKEN made for this run in ${secretsDir}`);
  return {
    ...files,
    POSTGRES_PASSWORD: randomBytes(24).toString('base64url'),
    INTERNAL_TOKEN: randomBytes(24).toString('base64url'),
  };
}

let stack: Stack | undefined;
let people: Person[] = [];
let failed = false;
let tornDown: Promise<void> | undefined;

function tearDown(): Promise<void> {
  tornDown ??= step('tear down: containers, network, volumes, secrets', async () => {
    closeAll(people);
    if (process.env.CONTAINER_KEEP === '1' && stack) {
      const label = `label=chat.containers.project=${project}`;
      info(`CONTAINER_KEEP=1: the stack is left running, its secrets and logs in ${workDir}; remove it with`);
      info(`  podman rm -f $(podman ps -aq --filter ${label}); podman network rm ${project}; \\`);
      info(`  podman volume rm $(podman volume ls -q --filter ${label}); rm -r ${workDir}`);
      return;
    }
    const saved = (await stack?.down(failed)) ?? [];
    rmSync(secretsDir, { recursive: true, force: true });
    if (failed)
      info(`build and container logs kept in ${workDir}${saved.length ? ` (${saved.length} containers)` : ''}`);
    else rmSync(workDir, { recursive: true, force: true });
  });
  return tornDown;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: tearing down`);
    failed = true;
    void tearDown().finally(() => process.exit(130));
  });
}

try {
  const composeFile = path.join(repoRoot, 'docker-compose.yml');
  await step('podman', async () => {
    const version = (await podman(['--version'])).stdout.trim();
    info(`${version}; CONTAINERS_CONF=${containersConfPath()}; project ${project}; work files in ${workDir}`);
    if (!process.env.CONTAINER_BASE_IMAGE) await run('mmdebstrap', ['--version']);
  });

  const base = await step('base image (Debian bookworm + Node 24)', () => baseImage(workDir));
  const data = await step('PostgreSQL and Redis images (Debian packages)', () => dataImages(base, workDir));

  const secrets = await step('fresh production secrets', productionSecrets);
  const gatewayPort = process.env.CONTAINER_GATEWAY_PORT || String(await freePort());
  const vars = { ...readEnvFile(path.join(repoRoot, '.env.example')), ...secrets, GATEWAY_PORT: gatewayPort };
  const compose = loadCompose(composeFile, vars);
  for (const s of compose.services) {
    // unset: the image's own NODE_ENV=production (infra/Dockerfile)
    const env = s.environment.NODE_ENV ?? 'production';
    if (s.build && env !== 'production') throw new Error(`${s.name} would run with NODE_ENV=${env}`);
  }

  const images: Record<string, string> = {};
  await step('service images from infra/Dockerfile', async () => {
    const built = new Map<string, string>();
    for (const s of compose.services) {
      if (s.build) {
        const target = s.build.target ?? s.name;
        const tag = `localhost/chat/${target}:local`;
        if (!built.has(target)) {
          await build(
            tag,
            { file: s.build.dockerfile, context: s.build.context, target, buildArgs: { NODE_IMAGE: base } },
            path.join(workDir, `build-${target}.log`),
          );
          built.set(target, tag);
        }
        images[s.name] = tag;
      } else if (s.image?.startsWith('postgres:')) images[s.name] = data.postgres;
      else if (s.image?.startsWith('redis:')) images[s.name] = data.redis;
      else throw new Error(`no local image stands in for ${s.name}'s ${s.image}`);
    }
    info(`NODE_IMAGE=${base} for ${built.size} targets: ${[...built.keys()].join(', ')}`);
  });

  const running = new Stack({ project, compose, images, bindAddress: '127.0.0.1', logDir: workDir, healthTimeoutMs });
  stack = running;
  const replicas = compose.services.find((s) => s.name === 'realtime')?.replicas ?? 0;
  await step(`the stack of docker-compose.yml up (NODE_ENV=production, ${replicas} realtime replicas)`, () =>
    running.up(),
  );
  const realtimePort = compose.services.find((s) => s.name === 'realtime')?.environment.PORT ?? '3003';
  const nodes = new Map<string, string>();
  for (const c of running.containersOf('realtime')) nodes.set(`${await running.hostnameOf(c)}-${realtimePort}`, c);
  if (nodes.size < 2) throw new Error(`${nodes.size} realtime replicas: two are needed`);
  const containerOf = (nodeId: string) => nodes.get(nodeId) ?? `unknown container (node ${nodeId})`;
  const baseUrl = `http://127.0.0.1:${gatewayPort}`;
  info(`gateway at ${baseUrl}; realtime nodes ${[...nodes].map(([n, c]) => `${n} = ${c}`).join(', ')}`);

  await step(`the gateway serves the web app and the API (${baseUrl})`, () => gatewayServes(baseUrl));
  const users = await step('two users register, one logs in', () => twoUsers(baseUrl));
  const chat = await step('a direct chat between them', () => directChat(...users));
  const [ann, bob] = await step('a socket each, on different realtime replicas', () =>
    socketsOnTwoReplicas(baseUrl, users, chat.id, containerOf),
  );
  people = [ann, bob];
  await step('a message crosses between the replicas, both ways', () => messageAcrossReplicas(ann, bob, chat.id));
  await step('a read receipt reaches the author on the other replica', () => readReceipt(ann, bob, chat.id));
  await step(
    `one realtime replica ${kill ? 'killed' : 'stopped'} while both send: the chat goes on, nothing lost`,
    () =>
      survivesStoppedReplica(ann, bob, chat.id, {
        containerOf,
        stopNode: async (nodeId) => {
          const container = nodes.get(nodeId);
          if (!container) throw new Error(`no container for node ${nodeId}`);
          if (kill) await running.kill(container);
          else await running.stop(container);
          return { container, how: kill ? 'killed (SIGKILL)' : 'stopped (SIGTERM)' };
        },
      }),
  );
} catch (err) {
  failed = true;
  console.log(`\nFAILED: ${(err as Error).message}`);
} finally {
  try {
    await tearDown();
  } catch (err) {
    failed = true;
    console.log(`tear-down failed: ${(err as Error).message}`);
  }
}
console.log(`\n${summary()}\n\n${failed ? 'FAILED' : 'PASSED'}: containers that really run`);
process.exit(failed ? 1 : 0);
