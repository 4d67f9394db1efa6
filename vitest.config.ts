import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'services/*/test/**/*.test.ts',
      'gateway/test/**/*.test.ts',
      'infra/test/**/*.test.ts',
      'tests/**/*.test.ts',
      'web/test/**/*.test.ts',
    ],
    globalSetup: ['infra/src/test-services.ts'],
    // generous: a browser test is a long walk through the app, and a busy machine slows every step of it
    testTimeout: 90_000,
    // a condition polled for is waited on as long as a busy machine needs; how fast it happens is for benchmarks
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
  },
});
