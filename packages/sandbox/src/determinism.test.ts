import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from './sandbox.js';

const manifest = {
  name: 'dice',
  version: '1.0.0',
  entry: 'index.js',
  capabilities: {},
  budgets: { ms: 2000 },
};

// Reads every source of nondeterminism the run replaces, including after the plugin has tampered
// with the intrinsics the bootstrap uses.
const code = `
export async function run() {
  const r = [Math.random(), Math.random(), Math.random()];
  const t0 = Date.now();
  const d = new Date().getTime();
  const s = Date();
  const p0 = performance.now();
  await null;
  const p1 = performance.now();
  Map.prototype.get = () => { throw new Error('tampered'); };
  String.prototype.slice = () => 'x';
  const later = [Math.random(), Date.now()];
  return { r, t0, d, s, p0, p1, later, origin: performance.timeOrigin,
    explicit: new Date(0).toISOString(), isDate: new Date() instanceof Date,
    intl: new Intl.DateTimeFormat('en-US', { year: 'numeric', timeZone: 'UTC' }).format(),
    parts: new Intl.DateTimeFormat('en-US', { year: 'numeric', timeZone: 'UTC' }).formatToParts()[0].value };
}`;

const seed = '0123456789abcdef0123456789abcdef';
const clockOrigin = Date.UTC(2031, 0, 2, 3, 4, 5); // not this year: the real clock would show

describe.each(['in-process', 'process'] as const)('seeded random and run clock (%s)', (isolation) => {
  const sandbox = createSandbox({ isolation, poolSize: 1, processes: 1 });
  afterAll(() => sandbox.close());

  it('gives the same values for the same seed and origin, and puts them in the provenance', async () => {
    const a = await sandbox.run({ code, manifest, determinism: { seed, clockOrigin } });
    const b = await sandbox.run({ code, manifest, determinism: { seed, clockOrigin } });
    if (!a.ok || !b.ok) throw new Error(`run failed: ${!a.ok ? a.error.message : ''}`);
    expect(b.value).toEqual(a.value);
    expect(a.provenance.determinism).toEqual({ seed, clockOrigin });
    const v = a.value as {
      r: number[];
      t0: number;
      d: number;
      s: string;
      p0: number;
      p1: number;
      later: number[];
      origin: number;
      explicit: string;
      isDate: boolean;
      intl: string;
      parts: string;
    };
    for (const x of [...v.r, v.later[0] ?? -1]) expect(x >= 0 && x < 1).toBe(true);
    expect(new Set(v.r).size).toBe(3);
    expect(v.t0).toBe(clockOrigin);
    expect(v.d).toBe(clockOrigin);
    expect(v.s).toContain('2031');
    expect(v.p1).toBeGreaterThan(v.p0);
    expect(v.origin).toBe(clockOrigin);
    expect(v.explicit).toBe('1970-01-01T00:00:00.000Z');
    expect(v.isDate).toBe(true);
    expect(v.intl).toBe('2031');
    expect(v.parts).toBe('2031');
  });

  it('gives different values for another seed, and a fresh seed by default', async () => {
    const a = await sandbox.run({ code, manifest, determinism: { seed, clockOrigin } });
    const b = await sandbox.run({ code, manifest, determinism: { seed: 'f'.repeat(32), clockOrigin } });
    const c = await sandbox.run({ code, manifest });
    if (!a.ok || !b.ok || !c.ok) throw new Error('run failed');
    expect((b.value as { r: number[] }).r).not.toEqual((a.value as { r: number[] }).r);
    expect(c.provenance.determinism?.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(c.provenance.determinism?.seed).not.toBe(seed);
  });

  it('refuses a malformed seed', async () => {
    await expect(
      sandbox.run({ code, manifest, determinism: { seed: 'nothex', clockOrigin } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
