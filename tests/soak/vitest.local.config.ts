// Runs the CI soak alone (until the root config has a `soak` project):
//   ./run pnpm vitest run --config tests/soak/vitest.local.config.ts
import { join } from 'node:path';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const conditions = ['@intelgraph/source', ...defaultServerConditions];

export default defineConfig({
  root: join(import.meta.dirname, '..', '..'),
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@intelgraph/source'] } },
  test: {
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    include: ['tests/soak/**/*.test.ts'],
    testTimeout: 600_000,
  },
});
