// A real Redis Cluster for tests and benches: six redis-server processes on 127.0.0.1 (three masters, a replica each),
// in a temporary folder, on free ports; killed when stopped, when the process exits, and (by a watchdog) when it is
// killed outright.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { askRedis } from './redis-server.ts';
import { freePort, until } from './testing.ts';

export type ClusterNode = { port: number; address: string; process: ChildProcess };

export type TestRedisCluster = {
  /** host:port of every node, for REDIS_CLUSTER_NODES. */
  nodes: string[];
  /** The same, comma-separated. */
  nodeList: string;
  /** For REDIS_URL (only its credentials matter on a cluster; it names the first node). */
  url: string;
  /** The master nodes now, as host:port. */
  masters(): Promise<string[]>;
  /** The master that now holds the slot of a key or sharded channel, as host:port. */
  masterOf(key: string): Promise<string>;
  /** Kills a master (SIGKILL) and waits until its replica took its slots over and the cluster is whole again. */
  killMaster(address?: string): Promise<string>;
  /** A command on one node, e.g. INFO CPU. */
  command(address: string, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
};

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners run synchronously: a kill is all that can be done, and all that is needed
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

const ask = async (address: string, ...[command, ...args]: string[]) =>
  String(await askRedis(`redis://${address}`, command as string, ...args));

const answers = (address: string, ...args: string[]) => ask(address, ...args).catch(() => '');

/** A node that stopped before the cluster formed (another process took its port between the check and the bind). */
class NodeExited extends Error {}

/** `nodeTimeoutMs` is how long a master may be silent before its replica takes over. */
export async function startRedisCluster({ nodeTimeoutMs = 2_000 } = {}): Promise<TestRedisCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(nodeTimeoutMs);
    } catch (err) {
      if (!(err instanceof NodeExited) || attempt === 3) throw err;
    }
  }
}

async function startOnce(nodeTimeoutMs: number): Promise<TestRedisCluster> {
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is not on PATH');
  killOnExit();
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-cluster-'));
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < 6; i++) {
    const [port, busPort] = [await freePort(), await freePort()];
    const nodeDir = path.join(dir, String(i));
    mkdirSync(nodeDir);
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--save', '', '--appendonly', 'no'],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort)],
        ...['--cluster-node-timeout', String(nodeTimeoutMs)],
        // a replica takes over however long it was apart from its master (a test kills masters at any moment)
        ...['--cluster-replica-validity-factor', '0'],
      ],
      { stdio: 'ignore' },
    );
    running.add(child);
    child.once('exit', () => running.delete(child));
    nodes.push({ port, address: `127.0.0.1:${port}`, process: child });
  }
  const addresses = nodes.map((n) => n.address);
  // a process killed outright runs no exit hook: a watchdog of its own kills the servers once this process is gone
  const pids = nodes.map((n) => n.process.pid).join(' ');
  const watchdog = spawn(
    'sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${pids} 2>/dev/null; rm -rf '${dir}'`],
    { stdio: 'ignore', detached: true },
  );
  watchdog.unref();

  async function stop() {
    watchdog.kill('SIGKILL');
    await Promise.all(
      nodes.map(async ({ process: child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await once(child, 'exit');
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }

  try {
    await until(async () => {
      const gone = nodes.find((n) => n.process.exitCode !== null || n.process.signalCode !== null);
      if (gone) throw new NodeExited(`redis-server on ${gone.address} stopped before the cluster formed`);
      return (await Promise.all(addresses.map((a) => answers(a, 'PING')))).every((r) => r === 'PONG');
    });
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await until(() => whole(addresses), 60_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }

  /** Every live node says the cluster is ok and knows every slot. */
  async function whole(live: string[]): Promise<boolean> {
    const infos = await Promise.all(live.map((a) => answers(a, 'CLUSTER', 'INFO')));
    return infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384'));
  }

  /** The live masters holding slots, with their slot ranges, as a live node sees them. */
  async function slotOwners(): Promise<{ address: string; ranges: [number, number][] }[]> {
    for (const address of addresses) {
      const table = await answers(address, 'CLUSTER', 'NODES');
      if (!table) continue;
      return table
        .split('\n')
        .map((line) => line.split(' '))
        .filter((f) => f[2]?.includes('master') && !f[2].includes('fail') && (f[8] ?? '') !== '')
        .map((f) => ({
          address: (f[1] ?? '').split('@')[0] as string,
          ranges: f.slice(8).map((r) => {
            const [from, to] = r.split('-').map(Number);
            return [from as number, to ?? (from as number)];
          }),
        }));
    }
    return [];
  }

  const masters = async () => (await slotOwners()).map((m) => m.address);

  return {
    nodes: addresses,
    nodeList: addresses.join(','),
    url: `redis://${addresses[0]}`,
    masters,
    command: (address, ...args) => ask(address, ...args),
    async masterOf(key) {
      const owners = await slotOwners();
      const slot = Number(await ask(owners[0]?.address ?? '', 'CLUSTER', 'KEYSLOT', key));
      const owner = owners.find((m) => m.ranges.some(([from, to]) => slot >= from && slot <= to));
      if (!owner) throw new Error(`no master holds slot ${slot}`);
      return owner.address;
    },
    async killMaster(address) {
      const victim = address ?? (await masters())[0] ?? '';
      const node = nodes.find((n) => n.address === victim);
      if (!node) throw new Error(`no node ${victim}`);
      node.process.kill('SIGKILL');
      await once(node.process, 'exit');
      const live = addresses.filter((a) => a !== victim);
      // the replica is promoted after the node timeout, then every live node must agree the cluster is whole
      await until(
        async () => (await masters()).length === 3 && !(await masters()).includes(victim) && (await whole(live)),
        60_000,
        100,
      );
      return victim;
    },
    stop,
  };
}
