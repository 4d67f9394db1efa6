// The container stack agrees with the code: docker compose accepts the file, every service gets only variables its
// config parser reads, and every image starts the entry file the launcher runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateConfigShape, repoRoot } from '@chat/kit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { authConfigShape } from '../services/auth/src/config.ts';
import { chatHistoryConfigShape } from '../services/chat-history/src/config.ts';
import { receiptsWorkerConfigShape } from '../services/chat-history/src/receipts/config.ts';
import { mediaConfigShape } from '../services/media/src/config.ts';
import { realtimeConfigShape } from '../services/realtime/src/config.ts';
import { gatewayConfigShape } from '../gateway/src/config.ts';
import { serviceSpecs } from '../infra/src/services.ts';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

/** compose service → the variables its process reads, and the entry the launcher runs for it. */
const services: Record<string, { variables: string[]; launcherName?: string }> = {
  auth: { variables: Object.keys(authConfigShape), launcherName: 'auth' },
  'chat-history': { variables: Object.keys(chatHistoryConfigShape), launcherName: 'chat-history' },
  receipts: { variables: Object.keys(receiptsWorkerConfigShape), launcherName: 'receipts' },
  realtime: { variables: Object.keys(realtimeConfigShape), launcherName: 'realtime-1' },
  media: { variables: Object.keys(mediaConfigShape), launcherName: 'media' },
  gateway: { variables: Object.keys(gatewayConfigShape), launcherName: 'gateway-1' },
  migrate: { variables: Object.keys(migrateConfigShape) },
};

type ComposeService = { environment?: Record<string, string>; build?: { target?: string } };
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

/** FROM … AS target → its CMD entry file, following `FROM <stage> AS` inheritance. */
function dockerEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  let stage = '';
  for (const line of read('infra/Dockerfile').split('\n')) {
    const from = /^FROM \S+ AS (\S+)/.exec(line);
    if (from) stage = from[1] as string;
    const cmd = /^CMD \["node", "([^"]+)"\]/.exec(line);
    if (cmd) entries[stage] = cmd[1] as string;
  }
  return entries;
}

describe('deployment', () => {
  it('passes each service only variables that service reads', () => {
    for (const [name, { variables }] of Object.entries(services)) {
      const given = Object.keys(compose.services[name]?.environment ?? {});
      expect(given.length, `${name} has an environment`).toBeGreaterThan(0);
      expect(
        given.filter((v) => !variables.includes(v)),
        `${name} is given variables it never reads`,
      ).toEqual([]);
    }
  });

  it('starts in every image the entry file the launcher runs', () => {
    const entries = dockerEntries();
    const launcher = serviceSpecs({
      nodeEnv: 'production',
      databaseUrl: 'postgres://x',
      redisUrl: 'redis://x',
      redisPrefix: 'chat',
      gatewayPort: 8080,
      portsFrom: 3001,
    });
    for (const [name, { launcherName }] of Object.entries(services)) {
      const target = compose.services[name]?.build?.target;
      expect(target, `${name} builds a target`).toBe(name);
      const entry = entries[target as string];
      expect(entry, `${name} has a CMD`).toBeDefined();
      if (launcherName) expect(launcher.find((s) => s.name === launcherName)?.entry).toBe(entry);
    }
    expect(entries.migrate).toBe('infra/src/migrate.ts');
  });

  const composeCommand = [['docker', 'compose'], ['docker-compose']].find(
    ([cmd, ...args]) => spawnSync(cmd as string, [...args, 'version']).status === 0,
  );

  it.skipIf(!composeCommand)('is accepted by docker compose config', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-'));
    writeFileSync(path.join(dir, '.env'), read('.env.example'));
    for (const key of ['jwt-private.pem', 'jwt-public.pem']) writeFileSync(path.join(dir, key), 'placeholder');
    const [cmd, ...args] = composeCommand as string[];
    const result = spawnSync(
      cmd as string,
      [
        ...args,
        '--project-directory',
        repoRoot,
        '--env-file',
        path.join(dir, '.env'),
        '-f',
        path.join(repoRoot, 'docker-compose.yml'),
        'config',
        '-q',
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          AUTH_PRIVATE_KEY_PATH: path.join(dir, 'jwt-private.pem'),
          AUTH_PUBLIC_KEY_PATH: path.join(dir, 'jwt-public.pem'),
        },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('operations guide', () => {
  it('names every variable each service reads', () => {
    const guide = read('docs/operations.md');
    for (const [name, { variables }] of Object.entries(services)) {
      const row = guide
        .split('\n')
        .find((line) =>
          line.includes(
            `| ${name === 'realtime' ? 'realtime (× N)' : name === 'receipts' ? 'receipts worker' : name === 'migrate' ? 'migrate (one-shot)' : name} |`,
          ),
        );
      expect(row, `${name} has a row`).toBeDefined();
      expect(
        variables.filter((v) => !row?.includes(v)),
        `${name}'s row misses variables`,
      ).toEqual([]);
    }
  });
});
