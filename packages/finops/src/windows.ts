// Moved to @intelgraph/core (next to the QuotaStore port) so storage adapters share them without importing
// finops; re-exported here so `@intelgraph/finops` keeps exporting them.
export type { WindowFrame } from '@intelgraph/core';
export {
  alertWindowStart,
  fixedWindowFrame,
  fixedWindowFrames,
  quotaRuleKey,
  SLIDING_BUCKETS,
  SLIDING_WINDOW_MS,
} from '@intelgraph/core';
