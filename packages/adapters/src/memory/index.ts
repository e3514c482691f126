// The in-memory graph and case stores, and core's audit store. The in-memory stores of the domain packages
// live in those packages (createMemoryGrantStore in @intelgraph/capabilities, createMemorySchemaStore in
// @intelgraph/contracts, the finops stores in @intelgraph/finops, createMemoryReviewStore in
// @intelgraph/governance, createMemoryMarketplaceStore in @intelgraph/marketplace): storage imports no domain package.
export { createMemoryAuditStore } from '@intelgraph/core';
export type { MemoryCaseStoreOptions } from './cases.js';
export { createMemoryCaseStore } from './cases.js';
export type { GraphMergeListener, MemoryGraphStore, MemoryGraphStoreOptions } from './graph.js';
export { createMemoryGraphStore } from './graph.js';
