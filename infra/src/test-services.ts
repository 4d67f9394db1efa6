// vitest global setup: finds the PostgreSQL and Redis the tests use.
// TEST_DATABASE_URL / TEST_REDIS_URL when set; else containers through testcontainers when a Docker engine answers;
// else the local servers on 127.0.0.1.
import { existsSync } from 'node:fs';

type Stoppable = { stop: () => Promise<unknown> };

export default async function setup() {
  const started: Stoppable[] = [];
  const dockerAvailable = existsSync('/var/run/docker.sock') || Boolean(process.env.DOCKER_HOST);
  if (!process.env.TEST_DATABASE_URL && dockerAvailable) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const pg = await new PostgreSqlContainer('postgres:17-alpine').start();
    started.push(pg);
    process.env.TEST_DATABASE_URL = pg.getConnectionUri();
  }
  if (!process.env.TEST_REDIS_URL && dockerAvailable) {
    const { GenericContainer } = await import('testcontainers');
    const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
    started.push(redis);
    process.env.TEST_REDIS_URL = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
  }
  process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.TEST_REDIS_URL ??= 'redis://127.0.0.1:6379';
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
