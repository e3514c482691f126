/** Time source, injected everywhere so tests can use a fixed or manual clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/**
 * The real clock.
 *
 * @example
 * ```ts
 * import { systemClock } from '@intelgraph/core';
 * const t = systemClock.now();
 * ```
 */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms` (must be >= 0). */
  advance(ms: number): void;
  /** Jumps to an absolute time (epoch ms). */
  set(epochMs: number): void;
}

/**
 * A manual clock for tests and simulations.
 *
 * @example
 * ```ts
 * import { createManualClock } from '@intelgraph/core';
 * const clock = createManualClock(Date.UTC(2026, 3, 1));
 * clock.advance(60_000);
 * new Date(clock.now()).toISOString(); // '2026-04-01T00:01:00.000Z'
 * ```
 */
export function createManualClock(startEpochMs = Date.UTC(2026, 0, 1)): ManualClock {
  let t = startEpochMs;
  return {
    now: () => t,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError('advance() takes a finite, non-negative number');
      t += ms;
    },
    set(epochMs: number) {
      if (!Number.isFinite(epochMs)) throw new RangeError('set() takes a finite number');
      t = epochMs;
    },
  };
}
