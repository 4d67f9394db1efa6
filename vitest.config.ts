import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'services/*/test/**/*.test.ts',
      'gateway/test/**/*.test.ts',
      'infra/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    globalSetup: ['infra/src/test-services.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
  },
});
