/** A bounded rolling sample of recent values with exact quantiles over that sample. */
export interface RollingSketch {
  add(value: number): void;
  /** Number of values currently held (at most the capacity). */
  readonly size: number;
  /** Nearest-rank quantile (`q` in [0, 1]) of the held values; 0 when empty. */
  quantile(q: number): number;
}

/**
 * Creates a {@link RollingSketch} that keeps the last `capacity` values in a ring buffer, so memory is
 * fixed and old behaviour ages out.
 *
 * @example
 * ```ts
 * import { createRollingSketch } from '@intelgraph/finops';
 * const s = createRollingSketch(128);
 * for (const v of [3, 1, 2, 10]) s.add(v);
 * s.quantile(0.5); // 2
 * s.quantile(0.95); // 10
 * ```
 */
export function createRollingSketch(capacity = 256): RollingSketch {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError('capacity must be a positive integer');
  const values = new Float64Array(capacity);
  let count = 0;
  let next = 0;
  let sorted: Float64Array | null = null;
  return {
    add(value) {
      if (!Number.isFinite(value)) return;
      values[next] = value;
      next = (next + 1) % capacity;
      count = Math.min(count + 1, capacity);
      sorted = null;
    },
    get size() {
      return count;
    },
    quantile(q) {
      if (count === 0) return 0;
      sorted ??= values.slice(0, count).sort();
      const rank = Math.min(count, Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * count)));
      return sorted[rank - 1] ?? 0;
    },
  };
}
