// One gate decision over a batch: the batch limits, the skip in `off` mode, and the per-record loop
// (screen, validate, deprecation windows, mapping-patch suggestions) that decides the outcome.
import { IntelGraphError } from '@intelgraph/core';
import type { GateDecision, RecordFinding } from '../gate.js';
import { screenPayload } from '../input-guard.js';
import type { ContractIssue, ContractResult } from '../issue.js';
import { CONTRACT_LIMITS } from '../limits.js';
import { decideRecord, suggestRecordPatch } from '../record-decision.js';
import { cachedContract, type GateContext, report, resolveContract } from './context.js';

const NO_ISSUES: ContractIssue[] = [];

/** `INVALID_INPUT` unless `records` is an array within the batch limit. */
function assertBatch(records: readonly unknown[]): void {
  if (!Array.isArray(records)) throw new IntelGraphError('INVALID_INPUT', 'a batch is an array of records');
  if (records.length > CONTRACT_LIMITS.maxBatchRecords)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `a batch holds at most ${CONTRACT_LIMITS.maxBatchRecords} records, got ${records.length}`,
      {
        details: { limit: CONTRACT_LIMITS.maxBatchRecords, observed: records.length },
      },
    );
}

/** The decision of a gate in `off` mode: every record passes, unlooked at. */
function skipped(ctx: GateContext, records: readonly unknown[]): GateDecision {
  return {
    ok: true,
    outcome: 'skipped',
    subject: ctx.subject,
    version: null,
    fingerprint: null,
    mode: ctx.mode,
    edge: ctx.edge,
    total: records.length,
    failed: 0,
    findings: [],
    values: [...records],
  };
}

/** Checks a batch against the gate's contract (in `enforce` mode one failing record rejects it) and reports the decision. */
export async function checkBatch(ctx: GateContext, records: readonly unknown[]): Promise<GateDecision> {
  assertBatch(records);
  const { mode, screen, maxSuggestions } = ctx;
  if (mode === 'off') return report(ctx, skipped(ctx, records));
  const c = cachedContract(ctx) ?? (await resolveContract(ctx));
  const compiled = c.compiled;
  const deprecations = compiled.deprecations;
  const now = ctx.clock.now();
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
  return report(ctx, {
    ok: !rejected,
    outcome: rejected ? 'rejected' : failed > 0 || findings.length > 0 ? 'warned' : 'accepted',
    subject: ctx.subject,
    version: c.version,
    fingerprint: c.fingerprint,
    mode,
    edge: ctx.edge,
    total: records.length,
    failed,
    findings,
    values: rejected ? [] : values,
  });
}
