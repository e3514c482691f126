/** Options of {@link BoundedCache}. */
export interface BoundedCacheOptions<K, V> {
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
  /** Most total weight kept (with `weigh`), for example characters of cached code. */
  maxWeight?: number;
  weigh?: (key: K, value: V) => number;
}

/**
 * A small least-recently-used map, bounded by entry count and optionally by total weight. Used for
 * per-run work that depends only on its key (a manifest's validation, a code string's digest).
 */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, { value: V; weight: number }>();
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  readonly #weigh: ((key: K, value: V) => number) | undefined;
  #weight = 0;

  constructor(options: BoundedCacheOptions<K, V>) {
    this.#maxEntries = options.maxEntries;
    this.#maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
    this.#weigh = options.weigh;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const hit = this.#map.get(key);
    if (!hit) return undefined;
    this.#map.delete(key);
    this.#map.set(key, hit);
    return hit.value;
  }

  /** Stores a value; an entry heavier than the whole budget is not kept. */
  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.#weigh ? this.#weigh(key, value) : 0;
    if (weight > this.#maxWeight) return;
    this.#map.set(key, { value, weight });
    this.#weight += weight;
    while (this.#map.size > this.#maxEntries || this.#weight > this.#maxWeight) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const hit = this.#map.get(key);
    if (!hit) return;
    this.#map.delete(key);
    this.#weight -= hit.weight;
  }

  clear(): void {
    this.#map.clear();
    this.#weight = 0;
  }
}
