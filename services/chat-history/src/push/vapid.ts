// The VAPID key pair Web Push identifies this server with; production refuses the development pair by its content.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, DEV_KEY_DIR } from '@chat/kit';
import { z } from 'zod';

export const DEV_VAPID_KEYS_FILE = path.join(DEV_KEY_DIR, 'vapid.json');
/** The development pair's public key, which production refuses; a constant, as the images have no infra/dev-keys. */
export const DEV_VAPID_PUBLIC_KEY =
  'BKZxf8GQ-xpJv4oqCkZQaV8Vq0HYOpFUwKyeK5_RvcemGtSsfmLVv17hzGN_9trfW8eJSdj6ryD4nxPZrDM5l-w';

const vapidKeys = z.object({ publicKey: z.string().min(80), privateKey: z.string().min(40) });
export type VapidKeys = z.infer<typeof vapidKeys>;

export function readVapidKeys(file: string, nodeEnv: string): VapidKeys {
  let keys: VapidKeys;
  try {
    keys = vapidKeys.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new ConfigError(`invalid configuration: VAPID_KEYS_FILE: cannot read a VAPID key pair from ${file}`);
  }
  if (nodeEnv === 'production' && keys.publicKey === DEV_VAPID_PUBLIC_KEY) {
    throw new ConfigError('invalid configuration: VAPID_KEYS_FILE: the development key must not be used in production');
  }
  return keys;
}
