import { describe, expect, it } from 'vitest';
import { backoffDelay, retry } from './retry.js';

describe('backoffDelay', () => {
  it('doubles from baseMs per attempt up to maxMs, without jitter when jitter is 0', () => {
    const delays = [0, 1, 2, 3, 4, 5, 40].map((attempt) =>
      backoffDelay({ attempt, baseMs: 100, maxMs: 1_000, jitter: 0 }),
    );
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('draws the jitter share from the jitter source', () => {
    const at = (random: number, jitter?: number) =>
      backoffDelay({
        attempt: 2,
        baseMs: 100,
        maxMs: 10_000,
        random: () => random,
        ...(jitter === undefined ? {} : { jitter }),
      });
    expect([at(0), at(0.5), at(1)]).toEqual([200, 300, 400]); // default 0.5: [50 %, 100 %]
    expect([at(0, 1), at(1, 1)]).toEqual([0, 400]); // full jitter
    expect(at(7)).toBe(400); // out-of-range sources are clamped
  });

  it('is deterministic for a deterministic source (the billing dispatcher derives it from the event)', () => {
    const source = () => 0x8000_0000 / 0xffff_ffff;
    const a = backoffDelay({ attempt: 3, baseMs: 1_000, maxMs: 300_000, jitter: 0.5, random: source });
    const b = backoffDelay({ attempt: 3, baseMs: 1_000, maxMs: 300_000, jitter: 0.5, random: source });
    expect(a).toBe(b);
    expect(a).toBe(Math.floor(8_000 * (0.5 + (0x8000_0000 / 0xffff_ffff) * 0.5)));
  });
});

describe('retry', () => {
  const fakeSleep = () => {
    const waits: number[] = [];
    return { waits, sleep: async (ms: number) => void waits.push(ms) };
  };

  it('retries until the call succeeds, waiting the backoff between attempts', async () => {
    const { waits, sleep } = fakeSleep();
    const seen: number[] = [];
    const value = await retry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return 'done';
      },
      { attempts: 5, baseMs: 100, maxMs: 1_000, random: () => 1, sleep },
    );
    expect(value).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
  });

  it('rejects with the last error, unchanged, when the attempts run out', async () => {
    const { waits, sleep } = fakeSleep();
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    const failure = retry(async (attempt) => Promise.reject(errors[attempt - 1]), { attempts: 3, sleep });
    await expect(failure).rejects.toBe(errors[2]);
    expect(waits).toHaveLength(2);
  });

  it('stops at an error the predicate refuses, and waits at least its afterMs', async () => {
    const { waits, sleep } = fakeSleep();
    const fatal = new Error('fatal');
    const calls: number[] = [];
    const failure = retry(
      async (attempt) => {
        calls.push(attempt);
        throw attempt === 1 ? new Error('slow down') : fatal;
      },
      {
        attempts: 5,
        baseMs: 10,
        sleep,
        isRetryable: (err) => (err === fatal ? false : { afterMs: 5_000 }),
      },
    );
    await expect(failure).rejects.toBe(fatal);
    expect(calls).toEqual([1, 2]);
    expect(waits).toEqual([5_000]);
  });

  it('gives up when the wait asked for exceeds maxMs', async () => {
    const { waits, sleep } = fakeSleep();
    const err = new Error('come back tomorrow');
    await expect(
      retry(async () => Promise.reject(err), {
        attempts: 5,
        maxMs: 1_000,
        sleep,
        isRetryable: () => ({ afterMs: 86_400_000 }),
      }),
    ).rejects.toBe(err);
    expect(waits).toEqual([]);
  });

  it('reports each retry before waiting', async () => {
    const { sleep } = fakeSleep();
    const retries: { attempt: number; delayMs: number }[] = [];
    await retry(
      async (attempt) => {
        if (attempt === 1) throw new Error('once');
        return attempt;
      },
      {
        attempts: 2,
        baseMs: 50,
        jitter: 0,
        sleep,
        onRetry: ({ attempt, delayMs }) => retries.push({ attempt, delayMs }),
      },
    );
    expect(retries).toEqual([{ attempt: 1, delayMs: 50 }]);
  });
});
