export type { MemoryCaseStoreOptions } from './cases.js';
export { createMemoryCaseStore } from './cases.js';
export type { GraphMergeListener, MemoryGraphStore, MemoryGraphStoreOptions } from './graph.js';
export { createMemoryGraphStore } from './graph.js';
// Re-exports of other packages' in-memory stores are appended below.
