import { defineConfig } from 'vitest/config';
import { CFWORKER_VALIDATE, hardenCfworker } from './scripts/cfworker-hardening.mjs';

// Suites start real worker threads, Wasm instances, subprocesses and servers: on 2 cores, run two test
// files at a time and give each test room for a cold start.
export default defineConfig({
  // The edge build's validator, as the web build makes it: cfworker's patterns on RE2.
  plugins: [{ name: 'cfworker-hardening', transform: (code, id) => (CFWORKER_VALIDATE.test(id) ? hardenCfworker(code, id) : undefined) }],
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // Inlined so the plugin above sees it (dependencies are otherwise loaded by Node as they are).
    server: { deps: { inline: ['@cfworker/json-schema'] } },
  },
});
