import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const start = (env: Record<string, string>) =>
  spawnSync(path.join(root, 'node_modules/.bin/node'), ['services/auth/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('auth process', () => {
  it('stops at start with one line naming a malformed variable', () => {
    const result = start({ PORT: 'abc' });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^auth: invalid configuration: PORT: /);
  });

  it('refuses the development keys and internal token in production', () => {
    const result = start({ NODE_ENV: 'production', INTERNAL_TOKEN: 'a-real-production-secret-value' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/AUTH_PRIVATE_KEY_FILE: the development key must not be used in production/);
    const token = start({ NODE_ENV: 'production' });
    expect(token.stderr).toMatch(/INTERNAL_TOKEN: the development default must not be used in production/);
  });

  it('refuses to create the demo accounts in production', () => {
    const result = start({
      NODE_ENV: 'production',
      INTERNAL_TOKEN: 'a-real-production-secret-value',
      DEMO_USERS: 'true',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^auth: invalid configuration: DEMO_USERS: /);
  });
});
