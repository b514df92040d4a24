import { defineConfig } from 'vitest/config';

// Suites start real worker threads, Wasm instances, subprocesses and servers: on 2 cores, run two test
// files at a time and give each test room for a cold start.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
