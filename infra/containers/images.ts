// The images: a local Debian base with Node 24 (no registry image is needed), PostgreSQL and Redis from Debian's
// packages on it, and every service image of docker-compose.yml from infra/Dockerfile on it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { info, seconds } from './log.ts';
import { podman, run } from './proc.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const here = import.meta.dirname;

const DEFAULT_BASE = 'localhost/chat-base:bookworm';
const DEBIAN_SUITE = 'bookworm';
// bump when the recipe below changes, so a cached base is made again
const BASE_RECIPE = 1;

async function imageId(ref: string): Promise<string | undefined> {
  const r = await podman(['image', 'inspect', '--format', '{{.Id}}', ref], { allowFailure: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

async function label(ref: string, name: string): Promise<string | undefined> {
  const r = await podman(['image', 'inspect', '--format', `{{index .Labels "${name}"}}`, ref], { allowFailure: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The Node 24 binary the `node` package put in node_modules (a real executable, not a wrapper). */
export async function nodeBinary(): Promise<{ file: string; version: string }> {
  const arch = `linux-${process.arch}`;
  const candidates = [
    `node_modules/node/node_modules/node-${arch}/bin/node`,
    `node_modules/node-${arch}/bin/node`,
    'node_modules/node/bin/node',
  ].map((p) => path.join(repoRoot, p));
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const version = (await run(file, ['--version'], { allowFailure: true })).stdout.trim();
    if (version.startsWith('v24.')) return { file, version };
  }
  throw new Error(`no Node 24 binary in node_modules (looked at ${candidates.join(', ')}); run npm install`);
}

/** Certificates this machine trusts beyond Debian's (a TLS-inspecting proxy's): the base trusts them too. */
function extraCertificates(): string[] {
  const dir = process.env.CONTAINER_EXTRA_CA_DIR ?? '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * The base image every other one is built on. CONTAINER_BASE_IMAGE names one to use as it is (node:24-slim where a
 * registry answers); otherwise chat-base:bookworm is made once and reused: a minimal Debian bookworm (mmdebstrap,
 * from Debian's mirror), Node 24 from node_modules as /usr/local/bin/node, npm from the npm registry, and the user
 * `node` (uid 1000), as node:24-slim has them.
 */
export async function baseImage(workDir: string): Promise<string> {
  const given = process.env.CONTAINER_BASE_IMAGE;
  if (given) {
    info(`CONTAINER_BASE_IMAGE=${given}: used as it is`);
    return given;
  }
  const node = await nodeBinary();
  const npmSpec = `npm@${process.env.CONTAINER_NPM_VERSION || '11'}`;
  const mirror = process.env.DEBIAN_MIRROR || 'http://deb.debian.org/debian';
  const securityMirror = process.env.DEBIAN_SECURITY_MIRROR || 'http://deb.debian.org/debian-security';
  const certs = extraCertificates();
  const recipe = createHash('sha256')
    .update(JSON.stringify({ BASE_RECIPE, node: node.version, npmSpec, mirror, securityMirror, DEBIAN_SUITE }))
    .update(certs.map((c) => readFileSync(c)).join('\n'))
    .digest('hex')
    .slice(0, 16);
  if (process.env.CONTAINER_REBUILD_BASE !== '1' && (await label(DEFAULT_BASE, 'chat.base.recipe')) === recipe) {
    info(`${DEFAULT_BASE} is there (Node ${node.version}, recipe ${recipe}); CONTAINER_REBUILD_BASE=1 makes it again`);
    return DEFAULT_BASE;
  }

  const dir = path.join(workDir, 'base');
  mkdirSync(dir, { recursive: true });
  const packed = await run('npm', ['pack', npmSpec, '--pack-destination', dir, '--silent'], { cwd: dir });
  const npmTarball = path.join(dir, packed.stdout.trim().split('\n').pop() ?? '');
  const npmVersion = path.basename(npmTarball).replace(/^npm-|\.tgz$/g, '');
  info(`Node ${node.version} from ${path.relative(repoRoot, node.file)}, npm ${npmVersion} from the npm registry`);
  if (certs.length > 0) info(`trusting this machine's extra certificates too: ${certs.join(', ')}`);

  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const hooks = [
    `install -m 0755 ${q(node.file)} "$1/usr/local/bin/node"`,
    `mkdir -p "$1/usr/local/lib/node_modules/npm"`,
    `tar -xzf ${q(npmTarball)} -C "$1/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner`,
    `ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"`,
    `ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"`,
    'chroot "$1" groupadd --gid 1000 node',
    'chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
    ...(certs.length > 0
      ? [
          `cp ${certs.map(q).join(' ')} "$1/usr/local/share/ca-certificates/"`,
          'chroot "$1" update-ca-certificates >/dev/null',
          // npm (and so `npm install` in image builds) checks TLS against the system's bundle
          `mkdir -p "$1/usr/local/etc" && echo 'cafile=/etc/ssl/certs/ca-certificates.crt' > "$1/usr/local/etc/npmrc"`,
        ]
      : []),
    'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
  ];
  const tarball = path.join(dir, 'rootfs.tar');
  const logFile = path.join(workDir, 'base.log');
  const from = performance.now();
  await run(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--include=ca-certificates',
      '--aptopt=Acquire::Languages "none"',
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-exclude=/usr/share/man/*',
      '--dpkgopt=path-exclude=/usr/share/locale/*',
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      ...hooks.map((h) => `--customize-hook=${h}`),
      DEBIAN_SUITE,
      tarball,
      `deb ${mirror} ${DEBIAN_SUITE} main`,
      `deb ${mirror} ${DEBIAN_SUITE}-updates main`,
      `deb ${securityMirror} ${DEBIAN_SUITE}-security main`,
    ],
    { logFile, timeoutMs: 30 * 60_000 },
  );
  info(`Debian ${DEBIAN_SUITE} root filesystem made with mmdebstrap (${seconds(performance.now() - from)})`);
  const previous = await imageId(DEFAULT_BASE);
  await podman(
    [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ...[`chat.base.recipe=${recipe}`, `chat.base.node=${node.version}`, `chat.base.npm=${npmVersion}`].flatMap(
        (l) => ['--change', `LABEL ${l}`],
      ),
      '--change',
      'CMD ["node"]',
      tarball,
      DEFAULT_BASE,
    ],
    { timeoutMs: 10 * 60_000 },
  );
  rmSync(dir, { recursive: true, force: true });
  if (previous && previous !== (await imageId(DEFAULT_BASE))) await podman(['rmi', previous], { allowFailure: true });
  const check = await podman(['run', '--rm', DEFAULT_BASE, 'sh', '-c', 'node --version && npm --version && id node']);
  info(`${DEFAULT_BASE} made: ${check.stdout.trim().split('\n').join(', ')}`);
  return DEFAULT_BASE;
}

/** Builds an image, logging to a file; an image the tag named before and no longer does is removed. */
export async function build(
  tag: string,
  args: { file: string; context: string; target?: string; buildArgs: Record<string, string> },
  logFile: string,
): Promise<void> {
  const previous = await imageId(tag);
  const from = performance.now();
  await podman(
    [
      'build',
      '--layers',
      '-f',
      args.file,
      ...(args.target ? ['--target', args.target] : []),
      ...Object.entries(args.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      '-t',
      tag,
      args.context,
    ],
    { logFile, timeoutMs: 60 * 60_000 },
  );
  const id = await imageId(tag);
  if (previous && previous !== id) await podman(['rmi', previous], { allowFailure: true });
  info(`${tag} ${id?.slice(0, 12)} (${seconds(performance.now() - from)}${previous === id ? ', unchanged' : ''})`);
}

/** PostgreSQL and Redis from Debian's packages on the base (CONTAINER_POSTGRES_IMAGE, CONTAINER_REDIS_IMAGE: others). */
export async function dataImages(base: string, workDir: string): Promise<{ postgres: string; redis: string }> {
  const made = async (name: 'postgres' | 'redis', tag: string, override?: string) => {
    if (override) {
      info(`${name}: ${override}, as given`);
      return override;
    }
    const context = path.join(here, name);
    await build(
      tag,
      { file: path.join(context, 'Containerfile'), context, buildArgs: { BASE_IMAGE: base } },
      path.join(workDir, `build-${name}.log`),
    );
    return tag;
  };
  return {
    postgres: await made('postgres', 'localhost/chat-postgres:15-bookworm', process.env.CONTAINER_POSTGRES_IMAGE),
    redis: await made('redis', 'localhost/chat-redis:7-bookworm', process.env.CONTAINER_REDIS_IMAGE),
  };
}
