// Environment parsing shared by every service: validated once, a bad value stops the process naming the variable.
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEV_INTERNAL_TOKEN } from './internal.ts';
import { parseClusterNodes } from './redis.ts';

export class ConfigError extends Error {}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Development defaults of shared secrets, which production refuses wherever a service reads them. */
const devSecrets: Record<string, string> = { INTERNAL_TOKEN: DEV_INTERNAL_TOKEN };

/**
 * Parses `env` with `shape`; throws ConfigError whose message names every bad variable, and refuses the
 * development default of any shared secret when NODE_ENV is production.
 */
export function parseConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env) {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = result.data as Record<string, unknown>;
  if (values.NODE_ENV === 'production') {
    for (const [variable, devValue] of Object.entries(devSecrets)) {
      if (values[variable] === devValue) {
        throw new ConfigError(
          `invalid configuration: ${variable}: the development default must not be used in production`,
        );
      }
    }
  }
  return result.data;
}

/**
 * Proxies whose X-Forwarded-For is believed (Express `trust proxy`: addresses, CIDRs or loopback, linklocal,
 * uniquelocal, comma-separated); any other peer is the client itself. Empty trusts no one.
 */
const trustedProxies = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    );

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const DEV_KEY_DIR = path.join(repoRoot, 'infra/dev-keys');
const DEV_PUBLIC_KEY_FILE = path.join(DEV_KEY_DIR, 'jwt-public.pem');
/**
 * The SHA-256 of the development pair's public half (SPKI, DER), which production refuses. A constant, not read from
 * infra/dev-keys: the images leave that folder out, and a production check must not need the development files.
 */
export const DEV_JWT_KEY_FINGERPRINT = 'b25b14d7f6202706ee4acff74ce3e5e0d3ea0b63df0edc1f0031cd1509ce6cdc';

/** Variables most services share; each service picks the ones it reads. */
export const common = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/chat'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /**
   * Comma-separated host:port of Redis Cluster nodes (a few suffice; the rest are discovered). Unset: one Redis at
   * REDIS_URL. Set: the cluster, with sharded Pub/Sub for the realtime fan-out; REDIS_URL then gives only the
   * credentials and TLS (`rediss:`).
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^(\s*[\w.-]+:\d{1,5}\s*(,|$))*$/, 'comma-separated host:port')
    .default('')
    .transform(parseClusterNodes),
  AUTH_PUBLIC_KEY_FILE: z.string().default(DEV_PUBLIC_KEY_FILE),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,40}$/)
    .default('chat'),
  port,
  /** The address a service listens on: loopback unless it must be reached from other hosts (containers: 0.0.0.0). */
  HOST: z.string().min(1).default('127.0.0.1'),
  trustedProxies,
};

/** The SHA-256 of a key's public part (SPKI), whichever half of the pair and however the PEM is laid out. */
export function keyFingerprint(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Reads a PEM key file. Production refuses the development pair kept in the repository by what it is, not where it
 * lies: a copy of it under any name is refused too.
 */
export function readKey(file: string, variable: string, nodeEnv: string): string {
  let pem: string;
  let fingerprint: string;
  try {
    pem = readFileSync(file, 'utf8');
    fingerprint = keyFingerprint(pem);
  } catch {
    throw new ConfigError(`invalid configuration: ${variable}: cannot read a PEM key from ${file}`);
  }
  if (nodeEnv === 'production' && fingerprint === DEV_JWT_KEY_FINGERPRINT) {
    throw new ConfigError(`invalid configuration: ${variable}: the development key must not be used in production`);
  }
  return pem;
}
