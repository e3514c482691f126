// What the audit trail keeps of a gate decision: a bounded summary with capped issue paths.
import type { GateDecision, GateEdge, GateMode } from '../gate.js';

/** Longest issue path an audit event keeps (payload keys are the sender's: a key may be huge). */
export const AUDIT_PATH_CHARS = 256;

/**
 * An issue path as audit events keep it: at most {@link AUDIT_PATH_CHARS} characters, then `…` and the
 * original length, so a hostile key cannot blow up (or block) the audit record of its own rejection.
 *
 * @example
 * ```ts
 * auditPath('/a/b'); // '/a/b'
 * auditPath(`/${'x'.repeat(1000)}`); // '/xxx…(1001 chars)'
 * ```
 */
export function auditPath(path: string): string {
  return path.length <= AUDIT_PATH_CHARS ? path : `${path.slice(0, AUDIT_PATH_CHARS)}…(${path.length} chars)`;
}

/** What a `contract.gate.decision` audit event records of a {@link GateDecision}. */
export type DecisionSummary = {
  subject: string;
  version: number | null;
  fingerprint: string | null;
  edge: GateEdge;
  mode: GateMode;
  outcome: GateDecision['outcome'];
  total: number;
  failed: number;
  /** The first 20 failing records, each with its first 10 issues (paths capped by {@link auditPath}). */
  failures: { index: number; issues: { code: string; path: string }[] }[];
};

/**
 * The audited summary of a gate decision: the data of its `contract.gate.decision` event, also for
 * callers that record decisions inside an event of their own (the host's `plugin.run`).
 *
 * @example
 * ```ts
 * const decision = await gate.checkBatch(records);
 * await trail.record({ type: 'import.done', actor: null, subject: 'import:1', orgId: 'acme', data: { contract: decisionSummary(decision) } });
 * ```
 */
export function decisionSummary(decision: GateDecision): DecisionSummary {
  return {
    subject: decision.subject,
    version: decision.version,
    fingerprint: decision.fingerprint,
    edge: decision.edge,
    mode: decision.mode,
    outcome: decision.outcome,
    total: decision.total,
    failed: decision.failed,
    failures: decision.findings
      .filter((f) => !f.ok)
      .slice(0, 20)
      .map((f) => ({
        index: f.index,
        issues: f.issues.slice(0, 10).map((i) => ({ code: i.code, path: auditPath(i.path) })),
      })),
  };
}
