import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@chat/kit';
import { describe, expect, it } from 'vitest';
import webPush from 'web-push';
import { DEV_VAPID_KEYS_FILE, DEV_VAPID_PUBLIC_KEY, readVapidKeys } from '../src/push/vapid.ts';

describe('VAPID keys', () => {
  it('refuses the development pair in production by its content, without the development files', () => {
    const dev = readFileSync(DEV_VAPID_KEYS_FILE, 'utf8');
    // the constant production compares with (images have no infra/dev-keys) is the pair's
    expect(JSON.parse(dev).publicKey).toBe(DEV_VAPID_PUBLIC_KEY);
    const dir = mkdtempSync(path.join(tmpdir(), 'vapid-'));
    const copy = path.join(dir, 'copy.json');
    writeFileSync(copy, dev);
    expect(() => readVapidKeys(copy, 'production')).toThrow('must not be used in production');
    expect(readVapidKeys(copy, 'development').publicKey).toBe(DEV_VAPID_PUBLIC_KEY);
    const own = path.join(dir, 'own.json');
    const keys = webPush.generateVAPIDKeys();
    writeFileSync(own, JSON.stringify(keys));
    expect(readVapidKeys(own, 'production').publicKey).toBe(keys.publicKey);
    expect(() => readVapidKeys(path.join(dir, 'none.json'), 'production')).toThrow(ConfigError);
  });
});
