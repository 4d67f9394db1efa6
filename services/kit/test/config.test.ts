import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  common,
  DEV_INTERNAL_TOKEN,
  DEV_JWT_KEY_FINGERPRINT,
  DEV_KEY_DIR,
  internalTokenVar,
  keyFingerprint,
  parseConfig,
  readKey,
} from '@chat/kit';

describe('service configuration', () => {
  it('uses development defaults when nothing is set', () => {
    const config = parseConfig({ PORT: common.port(3001), REDIS_URL: common.REDIS_URL }, {});
    expect(config).toEqual({ PORT: 3001, REDIS_URL: 'redis://127.0.0.1:6379' });
  });

  it('names every malformed variable in one message', () => {
    const parse = () =>
      parseConfig({ PORT: common.port(3001), REDIS_URL: common.REDIS_URL }, { PORT: 'abc', REDIS_URL: 'nope' });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/PORT: .*REDIS_URL: /);
  });

  it('reads a Redis Cluster as host:port nodes, and none (one Redis) when unset', () => {
    const shape = { REDIS_CLUSTER_NODES: common.REDIS_CLUSTER_NODES };
    expect(parseConfig(shape, {})).toEqual({ REDIS_CLUSTER_NODES: [] });
    expect(parseConfig(shape, { REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7000' })).toEqual({
      REDIS_CLUSTER_NODES: ['redis-1:6379', '10.0.0.2:7000'],
    });
    expect(() => parseConfig(shape, { REDIS_CLUSTER_NODES: 'redis://redis-1' })).toThrow(/REDIS_CLUSTER_NODES: /);
  });

  it('refuses the development internal token in production, wherever a service reads it', () => {
    const shape = { NODE_ENV: common.NODE_ENV, INTERNAL_TOKEN: internalTokenVar };
    expect(parseConfig(shape, {}).INTERNAL_TOKEN).toBe(DEV_INTERNAL_TOKEN);
    expect(() => parseConfig(shape, { NODE_ENV: 'production' })).toThrow(
      'INTERNAL_TOKEN: the development default must not be used in production',
    );
    expect(
      parseConfig(shape, { NODE_ENV: 'production', INTERNAL_TOKEN: 'a-real-secret-of-length' }).INTERNAL_TOKEN,
    ).toBe('a-real-secret-of-length');
  });

  it('refuses the development key pair in production by its content, under any name and layout', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'keys-'));
    const copy = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const devPublic = readFileSync(path.join(DEV_KEY_DIR, 'jwt-public.pem'), 'utf8');
    const devPrivate = readFileSync(path.join(DEV_KEY_DIR, 'jwt-private.pem'), 'utf8');
    // the constant production compares with (images have no infra/dev-keys) is the pair's
    expect(keyFingerprint(devPublic)).toBe(DEV_JWT_KEY_FINGERPRINT);
    expect(keyFingerprint(devPrivate)).toBe(DEV_JWT_KEY_FINGERPRINT);
    const copies = [
      copy('public.pem', devPublic),
      copy('private.pem', devPrivate),
      copy('crlf.pem', devPublic.replaceAll('\n', '\r\n')),
    ];
    for (const file of copies) {
      expect(() => readKey(file, 'AUTH_PUBLIC_KEY_FILE', 'production')).toThrow('must not be used in production');
      expect(readKey(file, 'AUTH_PUBLIC_KEY_FILE', 'development')).toContain('KEY');
    }
    const own = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ownPublic = copy('own.pem', own.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    expect(readKey(ownPublic, 'AUTH_PUBLIC_KEY_FILE', 'production')).toContain('PUBLIC KEY');
    expect(() => readKey(copy('junk.pem', 'not a key'), 'AUTH_PUBLIC_KEY_FILE', 'production')).toThrow(ConfigError);
  });
});
