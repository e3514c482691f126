import type {
  QuotaChargeRequest,
  QuotaChargeResult,
  QuotaSettleRequest,
  QuotaSettleResult,
  QuotaStore,
} from '@intelgraph/core';
import { charge, settle } from './memory-quota/operations.js';
import { applicable, emptyQuotaState, read, returnExpired, usageOf } from './memory-quota/state.js';
import { quotaRuleKey } from './windows.js';

// The in-memory quota store's public face; its state and counters live in memory-quota/state.ts, its
// charge and settle in memory-quota/operations.ts.

/**
 * The in-memory {@link QuotaStore}: exact and atomic within one process (each operation runs in one
 * synchronous step), the embedded default. Same semantics as the Redis store, checked by the same
 * conformance suite.
 *
 * @example
 * ```ts
 * import { createMemoryQuotaStore, createFinOps } from '@intelgraph/finops';
 * const finops = createFinOps({ quotaStore: createMemoryQuotaStore() });
 * ```
 */
export function createMemoryQuotaStore(): QuotaStore {
  const q = emptyQuotaState();
  return {
    async setRule(rule) {
      let m = q.rules.get(rule.scope.org);
      if (!m) {
        m = new Map();
        q.rules.set(rule.scope.org, m);
      }
      m.set(quotaRuleKey(rule), structuredClone(rule));
    },
    async removeRule(rule) {
      return q.rules.get(rule.scope.org)?.delete(quotaRuleKey(rule)) ?? false;
    },
    async listRules(org) {
      return applicable(q, org).map((r) => structuredClone(r));
    },
    async charge(req: QuotaChargeRequest): Promise<QuotaChargeResult> {
      return charge(q, req);
    },
    async settle(req: QuotaSettleRequest): Promise<QuotaSettleResult> {
      return settle(q, req);
    },
    async usage(query) {
      returnExpired(q, query.org, query.now);
      return applicable(q, query.org, query.plugin).map((r) => usageOf(read(q, query.org, r, query.now)));
    },
  };
}
