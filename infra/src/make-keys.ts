// `npm run keys -w infra`: a fresh ES256 key pair for the auth service in ./secrets (for docker compose and production).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@chat/kit';
import webPush from 'web-push';

const dir = path.join(repoRoot, 'secrets');
const privateFile = path.join(dir, 'jwt-private.pem');
if (existsSync(privateFile)) {
  console.log(`${privateFile} exists; remove it to make a new pair`);
  process.exit(0);
}
mkdirSync(dir, { recursive: true, mode: 0o700 });
const { privateKey, publicKey } = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
writeFileSync(privateFile, privateKey, { mode: 0o600 });
writeFileSync(path.join(dir, 'jwt-public.pem'), publicKey, { mode: 0o644 });
console.log(`wrote ${dir}/jwt-private.pem and jwt-public.pem`);
console.log(`a random INTERNAL_TOKEN for .env: ${randomBytes(24).toString('base64url')}`);

// the VAPID pair Web Push identifies the server with (chat-history and its workers read it)
const vapid = webPush.generateVAPIDKeys();
writeFileSync(path.join(dir, 'vapid.json'), `${JSON.stringify(vapid, null, 2)}\n`, { mode: 0o600 });
console.log(`wrote ${dir}/vapid.json`);
