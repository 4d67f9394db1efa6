// Environment parsing shared by every service: validated once, a bad value stops the process naming the variable.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEV_INTERNAL_TOKEN } from './internal.ts';

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

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const DEV_KEY_DIR = path.join(repoRoot, 'infra/dev-keys');
const DEV_PUBLIC_KEY_FILE = path.join(DEV_KEY_DIR, 'jwt-public.pem');

/** Variables most services share; each service picks the ones it reads. */
export const common = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/chat'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  AUTH_PUBLIC_KEY_FILE: z.string().default(DEV_PUBLIC_KEY_FILE),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,40}$/)
    .default('chat'),
  port,
};

/** Reads a PEM key file; production refuses the development keys kept in the repository. */
export function readKey(file: string, variable: string, nodeEnv: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`invalid configuration: ${variable}: cannot read ${file}`);
  }
  if (nodeEnv === 'production' && path.resolve(file).startsWith(DEV_KEY_DIR)) {
    throw new ConfigError(`invalid configuration: ${variable}: the development key must not be used in production`);
  }
  return pem;
}
