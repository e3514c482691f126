import { defineHostApi, netFetchMethod } from '@intelgraph/capabilities';
import type { SandboxResult } from '@intelgraph/sandbox';
import { expect } from 'vitest';

export const manifest = {
  name: 'abuse-probe',
  version: '1.0.0',
  entry: 'index.js',
  capabilities: { graph: ['read'], network: { allow: ['api.example.com'] } },
  // A wall budget generous enough that only the runaway probes hit it, even on a loaded CI machine.
  budgets: { ms: 2000, memoryMB: 16, rows: 1000, outputKB: 64, logKB: 8 },
};

/** What host handlers saw, so tests can check that only plain data reached the host. */
export const seen: unknown[] = [];
export let hostCallCount = 0;

export const hostApi = defineHostApi({
  graph: {
    search: {
      scope: 'graph:read',
      handler: async (input: unknown) => {
        hostCallCount += 1;
        seen.push(input);
        return [{ id: 'e1' }];
      },
    },
    tick: {
      scope: 'graph:read',
      handler: async () => {
        hostCallCount += 1;
        return 1;
      },
    },
  },
  cases: { create: { scope: 'cases:write', handler: async () => ({ id: 'c1' }) } },
  net: {
    fetch: netFetchMethod({
      resolve: async (host) => [
        { address: host === 'api.example.com' ? '93.184.215.14' : '10.0.0.5', family: 4 },
      ],
    }),
  },
});

/** Asserts that the host process is unharmed: prototypes clean, globals intact, Node reachable. */
export function expectHostUnharmed(): void {
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Array.prototype).not.toHaveProperty('polluted');
  expect(typeof process.pid).toBe('number');
  expect(typeof globalThis.setTimeout).toBe('function');
  expect(Error.prepareStackTrace === undefined || typeof Error.prepareStackTrace === 'function').toBe(true);
  expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
  expect((globalThis as Record<string, unknown>).escaped).toBeUndefined();
}

export function failure(r: SandboxResult): {
  code: string;
  details: Record<string, unknown>;
  message: string;
} {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('expected a failure');
  return { code: r.error.code, details: r.error.details, message: r.error.message };
}
