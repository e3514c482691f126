import type { ReviewDecisionRecord } from '@intelgraph/core';
import { escalationKeys, type Policy, selectorKeys } from './policy.js';

/** How far a task is from its quorum. */
export interface QuorumTally {
  /** Every rule is filled. */
  met: boolean;
  /** Per rule: its selectors, the count it needs, and how many distinct approvals fill it. */
  rules: { selectors: string[]; count: number; filled: number }[];
  approvals: number;
  denials: number;
  denyThreshold: number;
  /** The denial threshold is reached. */
  denied: boolean;
}

/**
 * Counts approvals against the policy's rules. A reviewer counts once, towards one rule: approvals are
 * assigned to rule slots by a maximum bipartite matching, so someone holding two required roles cannot
 * fill both. Backup approvers (reached through SLA escalation) stand in for any rule.
 *
 * @example
 * ```ts
 * import { definePolicy, tallyQuorum } from '@intelgraph/governance';
 * const policy = definePolicy({ kind: 'x', approvals: [{ count: 1, role: 'a' }, { count: 1, role: 'b' }] });
 * tallyQuorum(policy, decisions).met; // true once an `a` and a different `b` approved
 * ```
 */
export function tallyQuorum(policy: Policy, decisions: readonly ReviewDecisionRecord[]): QuorumTally {
  const approvals = decisions.filter((d) => d.outcome === 'approve');
  const denials = decisions.filter((d) => d.outcome === 'deny').length;
  const backup = new Set(escalationKeys(policy));
  const ruleKeys = policy.approvals.map((r) => new Set(selectorKeys(r)));
  // One slot per required approval; slot i belongs to rule slotRule[i].
  const slotRule: number[] = [];
  for (const [i, r] of policy.approvals.entries()) for (let k = 0; k < r.count; k++) slotRule.push(i);
  const canFill = approvals.map((a) => {
    // System decisions (no actor) come only from auto-approval, which bypasses the quorum entirely.
    const isBackup = a.matched.some((m) => backup.has(m));
    return slotRule.map((ri) => isBackup || a.matched.some((m) => ruleKeys[ri]?.has(m) === true));
  });
  const slotOwner: number[] = slotRule.map(() => -1);
  const tryAssign = (a: number, seen: boolean[]): boolean => {
    for (let s = 0; s < slotRule.length; s++) {
      if (!canFill[a]?.[s] || seen[s]) continue;
      seen[s] = true;
      const owner = slotOwner[s] ?? -1;
      if (owner === -1 || tryAssign(owner, seen)) {
        slotOwner[s] = a;
        return true;
      }
    }
    return false;
  };
  for (let a = 0; a < approvals.length; a++)
    tryAssign(
      a,
      slotRule.map(() => false),
    );
  const rules = policy.approvals.map((r, i) => ({
    selectors: [...(ruleKeys[i] ?? [])],
    count: r.count,
    filled: slotRule.filter((ri, s) => ri === i && (slotOwner[s] ?? -1) !== -1).length,
  }));
  return {
    met: rules.every((r) => r.filled >= r.count),
    rules,
    approvals: approvals.length,
    denials,
    denyThreshold: policy.denyThreshold,
    denied: denials >= policy.denyThreshold,
  };
}
