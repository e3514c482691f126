import { type Clock, IntelGraphError, parseInput, systemClock } from '@intelgraph/core';
import { z } from 'zod';
import type { ContractAuditHook } from './audit-hook.js';
import { parseJsonText, screenPayload } from './input-guard.js';
import type { ContractIssue, ContractResult } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import type { MappingPatchSuggestion } from './mapping-patch.js';
import { decideRecord, suggestRecordPatch } from './record-decision.js';
import { type ResolvedContract, type SchemaRegistry, SubjectSchema } from './registry.js';

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

const NO_ISSUES: ContractIssue[] = [];

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

const OptionsSchema = z.object({
  subject: SubjectSchema,
  version: z.number().int().min(1).optional(),
  mode: z.enum(['enforce', 'warn', 'off']),
  edge: z.enum(['ingest', 'export']),
  refreshMs: z.number().int().min(0).max(86_400_000).optional(),
  maxSuggestions: z.number().int().min(0).max(1000).optional(),
  screen: z.boolean().optional(),
});

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
  const parsed = parseInput(
    OptionsSchema,
    { ...options, registry: undefined, audit: undefined, clock: undefined },
    'gate options',
  );
  const { registry, audit } = options;
  if (!registry || typeof registry.resolve !== 'function')
    throw new IntelGraphError('INVALID_INPUT', 'invalid gate options: registry is required');
  const clock = options.clock ?? systemClock;
  const refreshMs = parsed.refreshMs ?? 5000;
  const maxSuggestions = parsed.maxSuggestions ?? 10;
  const screen = parsed.screen ?? true;
  const { subject, mode, edge } = parsed;
  let resolved: ResolvedContract | null = null;
  let resolvedAt = 0;

  /** The cached contract while it is fresh (no promise on the hot path), else `null`. */
  function cachedContract(): ResolvedContract | null {
    if (resolved && (parsed.version !== undefined || clock.now() - resolvedAt < refreshMs)) return resolved;
    return null;
  }

  async function contract(): Promise<ResolvedContract> {
    const now = clock.now();
    resolved = await registry.resolve(subject, parsed.version);
    resolvedAt = now;
    return resolved;
  }

  async function report(decision: GateDecision): Promise<GateDecision> {
    if (!audit) return decision;
    await audit({
      type: 'contract.gate.decision',
      subject: `contract:${subject}`,
      data: decisionSummary(decision),
    });
    return decision;
  }

  async function checkBatch(records: readonly unknown[]): Promise<GateDecision> {
    if (!Array.isArray(records)) throw new IntelGraphError('INVALID_INPUT', 'a batch is an array of records');
    if (records.length > CONTRACT_LIMITS.maxBatchRecords)
      throw new IntelGraphError(
        'INVALID_INPUT',
        `a batch holds at most ${CONTRACT_LIMITS.maxBatchRecords} records, got ${records.length}`,
        {
          details: { limit: CONTRACT_LIMITS.maxBatchRecords, observed: records.length },
        },
      );
    if (mode === 'off')
      return report({
        ok: true,
        outcome: 'skipped',
        subject,
        version: null,
        fingerprint: null,
        mode,
        edge,
        total: records.length,
        failed: 0,
        findings: [],
        values: [...records],
      });
    const c = cachedContract() ?? (await contract());
    const compiled = c.compiled;
    const deprecations = compiled.deprecations;
    const now = clock.now();
    const findings: RecordFinding[] = [];
    let values: unknown[] = compiled.appliesDefaults ? new Array(records.length) : [];
    let failed = 0;
    let hostileRecords = 0;
    let suggestions = 0;
    const maxDepth = CONTRACT_LIMITS.maxDepth;
    // Open schemas: every record is screened. Closed schemas vouch only for the records they accept, so
    // failing records are screened after validation, and records about to be copied (to fill in defaults)
    // before it: a prototype key or runaway nesting is refused in every mode, and never reaches a clone.
    const screening = compiled.needsScreening && screen;
    const screenBeforeCopy = screen && compiled.appliesDefaults && !screening;
    const screenFailures = screen && !screening && !screenBeforeCopy;
    const hasDeprecations = deprecations.length > 0;
    // Without defaults, the passed-on values are the records themselves: copied once at the end.
    const fast = !compiled.appliesDefaults;
    const isValid = compiled.isValid;
    const n = records.length;
    // The first record at or after the cursor the contract's screen flags; found once, not per failure.
    let nextHostile = -1;
    for (let i = 0; i < n; i++) {
      let invalid = false;
      // Valid records are skipped in the contract's own tight loops (screen, then validate); only
      // failures reach the body below.
      if (fast && !hasDeprecations) {
        if (screening && nextHostile < i) nextHostile = compiled.firstHostile(records, i);
        const end = screening ? nextHostile : n;
        i = compiled.scan(records, i, end);
        if (i >= n) break;
        invalid = i < end;
      }
      const record = records[i];
      let hostile = screening || screenBeforeCopy ? screenPayload(record, maxDepth) : null;
      let result: ContractResult<unknown> | null = null;
      if (!hostile) {
        if (fast && !invalid && isValid(record)) {
          // Hot path: a valid record of a schema without defaults needs no copy, no result object, no store.
          if (!hasDeprecations) continue;
        } else {
          result = compiled.validate(record);
          if (!result.ok && screenFailures) hostile = screenPayload(record, maxDepth);
        }
      }
      let issues: ContractIssue[] = NO_ISSUES;
      let warnings: ContractIssue[] = NO_ISSUES;
      if (hostile) {
        // Refused. A record screened before validation is not validated; one that failed a closed schema
        // keeps its validation issues, followed by the refusal.
        hostileRecords += 1;
        if (!fast) values[i] = record;
        const refusal: ContractIssue = {
          code: 'hostile_input',
          path: hostile.path,
          message: `${hostile.path || 'the payload'} is rejected: ${hostile.reason}`,
        };
        issues = result && !result.ok ? [...result.issues, refusal] : [refusal];
      } else if (result) {
        if (!fast) values[i] = result.ok ? result.value : record;
        if (!result.ok) issues = result.issues;
        else if (!hasDeprecations) continue;
      }
      if (hasDeprecations && !hostile) {
        // The shared decision (the CLI's too): validation as already computed, plus deprecation windows.
        const d = decideRecord(compiled, record, now, result ?? { ok: true, value: record });
        warnings = d.warnings;
        issues = d.issues;
      }
      if (issues.length === 0 && warnings.length === 0) continue;
      const finding: RecordFinding = { index: i, ok: issues.length === 0, issues, warnings };
      if (issues.length > 0) {
        failed += 1;
        if (!hostile && suggestions < maxSuggestions) {
          suggestions += 1;
          finding.suggestion = suggestRecordPatch(compiled, record, now);
        }
      }
      findings.push(finding);
    }
    // Hostile input (prototype keys, runaway nesting) is refused in every mode, not only under enforce.
    const rejected = (failed > 0 && mode === 'enforce') || hostileRecords > 0;
    if (fast && !rejected) values = records.slice();
    return report({
      ok: !rejected,
      outcome: rejected ? 'rejected' : failed > 0 || findings.length > 0 ? 'warned' : 'accepted',
      subject,
      version: c.version,
      fingerprint: c.fingerprint,
      mode,
      edge,
      total: records.length,
      failed,
      findings,
      values: rejected ? [] : values,
    });
  }

  return {
    check: (payload) => checkBatch([payload]),
    checkBatch,
    async checkJson(text) {
      const value = parseJsonText(text, 'payload', CONTRACT_LIMITS.maxPayloadBytes);
      return checkBatch(Array.isArray(value) ? value : [value]);
    },
    async enforce(records) {
      const decision = await checkBatch(records);
      if (!decision.ok)
        throw new IntelGraphError(
          'CONTRACT_VIOLATION',
          `${decision.failed} of ${decision.total} record(s) violate ${subject} v${decision.version} at ${edge}; the batch was rejected`,
          { details: { decision } },
        );
      return decision.values;
    },
    refresh() {
      resolved = null;
    },
  };
}
