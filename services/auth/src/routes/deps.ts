import type { Knex, Logger, Redis } from '@chat/kit';
import type { AuthConfig } from '../config.ts';
import type { RateLimits } from '../domain/rateLimits.ts';
import type { AuthPassport } from '../passport.ts';

export type AuthDeps = {
  db: Knex;
  redis: Redis;
  config: AuthConfig;
  passport: AuthPassport;
  limits: RateLimits;
  logger: Logger;
};
