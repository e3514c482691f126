import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS, resolveBudgets } from './budgets.js';

describe('resolveBudgets', () => {
  it('uses the manifest, then host defaults, never above the caps', () => {
    expect(resolveBudgets(undefined)).toEqual(DEFAULT_BUDGETS);
    expect(resolveBudgets({ ms: 60_000, memoryMB: 32, rows: 5 }, {}, { wallMs: 5_000 })).toEqual({
      wallMs: 5000,
      cpuMs: 5000,
      memoryMB: 32,
      rows: 5,
      outputKB: 1024,
      logKB: 64,
    });
    expect(resolveBudgets({}, { wallMs: 100, logKB: 1 })).toMatchObject({
      wallMs: 100,
      cpuMs: 100,
      logKB: 1,
    });
    expect(resolveBudgets({ memoryMB: 4096, outputKB: 1 }, {}, { memoryMB: 128 })).toMatchObject({
      memoryMB: 128,
      outputKB: 1,
    });
  });

  it('keeps CPU within wall time and honours an explicit CPU budget', () => {
    expect(resolveBudgets({ ms: 1000, cpuMs: 200 }).cpuMs).toBe(200);
    expect(resolveBudgets({ ms: 100, cpuMs: 5000 }).cpuMs).toBe(100);
    expect(resolveBudgets({ ms: 1000 }, { cpuMs: 300 }).cpuMs).toBe(300);
  });
});
