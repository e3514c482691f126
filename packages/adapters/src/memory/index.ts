// Re-exports of other packages' in-memory stores are appended below.
export { createMemoryGrantStore } from '@intelgraph/capabilities';
export { createMemorySchemaStore } from '@intelgraph/contracts';
export { createMemoryAuditStore } from '@intelgraph/core';
export {
  createMemoryBillingOutbox,
  createMemoryKillSwitchStore,
  createMemoryQuotaStore,
  createMemoryRateLimiter,
} from '@intelgraph/finops';
export { createMemoryReviewStore } from '@intelgraph/governance';
export { createMemoryMarketplaceStore } from '@intelgraph/marketplace';
export type { MemoryCaseStoreOptions } from './cases.js';
export { createMemoryCaseStore } from './cases.js';
export type { GraphMergeListener, MemoryGraphStore, MemoryGraphStoreOptions } from './graph.js';
export { createMemoryGraphStore } from './graph.js';
