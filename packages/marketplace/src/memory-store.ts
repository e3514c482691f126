import type { MarketplaceStore } from '@intelgraph/core';
import { catalogMethods } from './memory-store/catalog.js';
import { emptyMarketplaceState } from './memory-store/state.js';
import { usageMethods } from './memory-store/usage.js';

// The in-memory marketplace store's public face; its concerns live under memory-store/, sharing one state.

/**
 * In-memory {@link MarketplaceStore} (catalog, trust store keys, installations, ratings and reports).
 * Every method is one synchronous step, so it is atomic under concurrency, and it passes the same
 * conformance suite as the PostgreSQL store. Records are copied in and out.
 *
 * @example
 * ```ts
 * import { createMarketplace, createMemoryMarketplaceStore } from '@intelgraph/marketplace';
 * const market = createMarketplace({ store: createMemoryMarketplaceStore(), broker, audit });
 * ```
 */
export function createMemoryMarketplaceStore(): MarketplaceStore {
  const state = emptyMarketplaceState();
  return { ...catalogMethods(state), ...usageMethods(state) };
}
