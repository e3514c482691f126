import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './memory-rate-limiter.js';

describe('GCRA rate limiter (in memory)', () => {
  it('allows a burst, then one request per emission interval', async () => {
    const rl = createMemoryRateLimiter();
    const rule = { limit: 5, intervalMs: 1000 };
    const t = 1_000_000;
    const burst = await Promise.all(Array.from({ length: 7 }, () => rl.take('k', rule, t)));
    expect(burst.map((r) => r.ok)).toEqual([true, true, true, true, true, false, false]);
    expect(burst[4]).toMatchObject({ ok: true, remaining: 0 });
    expect(burst[5]).toMatchObject({ ok: false, retryAfterMs: 200 });
    expect((await rl.take('k', rule, t + 199)).ok).toBe(false);
    expect((await rl.take('k', rule, t + 200)).ok).toBe(true);
    expect((await rl.take('other', rule, t)).ok).toBe(true);
  });
});
