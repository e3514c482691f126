import type { SchemaRegistry } from '@intelgraph/contracts';
import type {
  AuditEvent,
  AuditTrail,
  AuditVerification,
  Authorizer,
  JsonValue,
  MarketplaceStore,
} from '@intelgraph/core';
import type { FinOps } from '@intelgraph/finops';
import type { Governance } from '@intelgraph/governance';
import type { ContractGates } from '../contract-gates.js';

// The context the read models share, and the helpers they all use. Each read model is computed from the
// audit chain and the stores, always scoped to the actor's org, so a restarted host shows the same history.

/** Dependencies of the read models. */
export interface ViewDeps {
  audit: AuditTrail;
  finops: FinOps;
  governance: Governance;
  contracts: SchemaRegistry;
  gates: ContractGates;
  marketplaceStore: MarketplaceStore;
  /** Decides `governance.audit` (who sees the whole org's review queue on the dashboard). */
  authorizer: Authorizer;
}

/** The dependencies plus the state the read models keep between calls. */
export interface ViewContext extends ViewDeps {
  /**
   * The verdict per chain head, shared by every read of that head: concurrent reads (30 aliased
   * `auditTrail` fields, many users at once) wait for the one verification in flight instead of each
   * reading the whole chain.
   */
  verified: { head: string | null; result: Promise<AuditVerification> } | null;
}

const EVENT_WINDOW = 5_000;

/** The org's latest events of one type (at most the last 5,000), oldest first. */
export async function recentEvents(
  audit: AuditTrail,
  query: { type: string; orgId: string; subject?: string },
): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let afterSeq: number | undefined;
  for (;;) {
    const page = await audit.list({ ...query, limit: 1000, ...(afterSeq === undefined ? {} : { afterSeq }) });
    out.push(...page);
    if (out.length > EVENT_WINDOW) out.splice(0, out.length - EVENT_WINDOW);
    if (page.length < 1000) return out;
    afterSeq = page.at(-1)?.seq;
  }
}

/** The `p` percentile (0..1) of an ascending list, or `null` for an empty one. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] ?? null;
}

/** A finite number from event data, else 0. */
export const num = (v: JsonValue | undefined): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : 0;

/**
 * The usage of a `plugin.run` event whose code reached the sandbox, or `null` for a run refused before it
 * (input contract, hostile input): refusals are denials, never a 0 ms sample in latency or cost figures.
 */
export function executedUsage(e: AuditEvent): Record<string, JsonValue> | null {
  const usage = (e.data as Record<string, JsonValue>).usage;
  return typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? usage : null;
}

/** A sorted copy, ascending. */
export const sortedNumbers = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
