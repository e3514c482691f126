import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the sources (the `@intelgraph/source` export condition), never against dist/.
// isolated-vm needs --no-node-snapshot, which cannot go in a worker's NODE_OPTIONS, so every test
// file runs in a forked child process started with that flag.
const conditions = ['@intelgraph/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@intelgraph/source'] } },
  test: {
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/conformance/**/*.test.ts'],
          // Every file isolates its data (a PostgreSQL schema, a Redis key prefix, a Neo4j namespace),
          // so files may run side by side.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: { name: 'build', include: ['tests/build/**/*.test.ts'] },
      },
      {
        extends: true,
        // The 30-second soak (bench/soak.bench.ts runs the full-length one).
        test: {
          name: 'soak',
          include: ['tests/soak/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        // A real browser (Debian's Chromium through playwright-core) against the demo server.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
