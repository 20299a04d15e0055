import { defineConfig } from 'vitest/config';

// The fast tier: unit tests and workflow tests on a Temporal test server with stub activities. No
// PostgreSQL, no model, no speech engine; two files at a time on two cores. Files share their worker's
// modules (isolate: false), which halves the time spent importing: a test here must not leave global
// state behind (environment variables, mocks, the Temporal runtime is installed once per worker).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/fast/**/*.test.ts'],
    fileParallelism: true,
    isolate: false,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
