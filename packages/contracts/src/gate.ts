import { type Clock, IntelGraphError } from '@intelgraph/core';
import type { ContractAuditHook } from './audit-hook.js';
import { checkBatch } from './gate/batch.js';
import { createGateContext } from './gate/context.js';
import { parseJsonText } from './input-guard.js';
import type { ContractIssue } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import type { MappingPatchSuggestion } from './mapping-patch.js';
import type { SchemaRegistry } from './registry.js';

export type { DecisionSummary } from './gate/summary.js';
export { AUDIT_PATH_CHARS, auditPath, decisionSummary } from './gate/summary.js';

/** `enforce` rejects failing batches, `warn` lets them through with the findings, `off` does not look. */
export type GateMode = 'enforce' | 'warn' | 'off';
/** Which edge a gate guards. */
export type GateEdge = 'ingest' | 'export';

/** Options of {@link createContractGate}. */
export interface ContractGateOptions {
  registry: SchemaRegistry;
  subject: string;
  /** Pin a version; when omitted the gate follows the subject's latest live version. */
  version?: number;
  mode: GateMode;
  edge: GateEdge;
  /** Receives a `contract.gate.decision` event for every decision; a failing hook fails the check. */
  audit?: ContractAuditHook;
  /** Used for deprecation windows and the refresh interval. */
  clock?: Clock;
  /** How long a gate that follows the latest version keeps it before asking the registry again. Default 5000 ms. */
  refreshMs?: number;
  /** Mapping patches are suggested for at most this many failing records per decision. Default 10. */
  maxSuggestions?: number;
  /**
   * Screen in-process payloads for prototype-pollution keys and runaway nesting (default true); such
   * records are refused in every mode. Only turn it off when every payload was parsed by
   * {@link ContractGate.checkJson} or an equally strict parser. Only the open parts of a schema are
   * screened for records that validate (closed parts cannot hold such keys); records that fail validation,
   * and records copied to fill in defaults, are screened in full.
   */
  screen?: boolean;
}

/** The findings for one record of a batch (only records with errors or warnings are listed). */
export interface RecordFinding {
  index: number;
  ok: boolean;
  /** Every error, with its path into the record. */
  issues: ContractIssue[];
  /** Uses of deprecated fields whose window has not ended. */
  warnings: ContractIssue[];
  /** A patch proven to fix the record, or what no known fix resolves. */
  suggestion?: MappingPatchSuggestion;
}

/** One gate decision over a payload or a batch. */
export interface GateDecision {
  /** May the caller proceed? False in `enforce` mode with a failing record, and in any mode for hostile input. */
  ok: boolean;
  outcome: 'accepted' | 'rejected' | 'warned' | 'skipped';
  subject: string;
  version: number | null;
  fingerprint: string | null;
  mode: GateMode;
  edge: GateEdge;
  total: number;
  failed: number;
  findings: RecordFinding[];
  /** The records to pass on (defaults filled in), in order; empty when rejected. */
  values: unknown[];
}

/** A contract gate for one subject and edge. */
export interface ContractGate {
  /** Checks one payload (a batch of one). */
  check(payload: unknown): Promise<GateDecision>;
  /** Checks a batch; in `enforce` mode one failing record rejects the whole batch. */
  checkBatch(records: readonly unknown[]): Promise<GateDecision>;
  /** Parses JSON text from the wire (size, depth and key limits apply), then checks it; an array is a batch. */
  checkJson(text: string | Uint8Array): Promise<GateDecision>;
  /** Like {@link ContractGate.checkBatch}, but throws `CONTRACT_VIOLATION` (details: the decision) when not ok; returns the values. */
  enforce(records: readonly unknown[]): Promise<unknown[]>;
  /** Forgets the resolved version, so the next check asks the registry. */
  refresh(): void;
}

/**
 * Creates a contract gate: the check at the ingest or export edge. Each record is validated against the
 * subject's version (compiled once), deprecated fields are reported (errors once their window has ended),
 * failing records get a mapping-patch suggestion, and every decision goes to the audit hook.
 *
 * @example
 * ```ts
 * import { createContractGate, createSchemaRegistry } from '@intelgraph/contracts';
 * const registry = createSchemaRegistry();
 * await registry.register('person', { format: 'json', schema: personV1 });
 * const gate = createContractGate({ registry, subject: 'person', mode: 'enforce', edge: 'ingest' });
 * const d = await gate.checkBatch([{ id: 'p1', name: 'Ada' }, { id: 'p2', fullName: 'Bob' }]);
 * d.ok; // false: the whole batch is rejected
 * d.findings[0]; // { index: 1, issues: [{ code: 'required', path: '/name', … }], suggestion: { ok: true, patch: [{ op: 'move', … }] } }
 * ```
 */
export function createContractGate(options: ContractGateOptions): ContractGate {
  // One context shared by the gate's parts (gate/*.ts): the parsed options and the resolved contract.
  const ctx = createGateContext(options);
  const check = (records: readonly unknown[]): Promise<GateDecision> => checkBatch(ctx, records);
  return {
    check: (payload) => check([payload]),
    checkBatch: check,
    async checkJson(text) {
      const value = parseJsonText(text, 'payload', CONTRACT_LIMITS.maxPayloadBytes);
      return check(Array.isArray(value) ? value : [value]);
    },
    async enforce(records) {
      const decision = await check(records);
      if (!decision.ok)
        throw new IntelGraphError(
          'CONTRACT_VIOLATION',
          `${decision.failed} of ${decision.total} record(s) violate ${ctx.subject} v${decision.version} at ${ctx.edge}; the batch was rejected`,
          { details: { decision } },
        );
      return decision.values;
    },
    refresh() {
      ctx.resolved = null;
    },
  };
}
