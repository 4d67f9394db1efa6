import type { Knex, Logger, Redis } from '@chat/kit';
import type { RequestHandler } from 'express';
import type { AuthConfig } from '../config.ts';
import type { RateLimits } from '../domain/rateLimits.ts';
import type { AuthPassport } from '../passport.ts';

export type AuthDeps = {
  db: Knex;
  redis: Redis;
  config: AuthConfig;
  passport: AuthPassport;
  /** An active user's bearer access token (see passport.ts). */
  bearer: RequestHandler[];
  limits: RateLimits;
  logger: Logger;
};
