// "Nothing was lost": what the load generator saw accepted must equal what the host recorded.
import type { Ledger } from './ledger.js';
import { errorCount, type OperationResult } from './mix.js';

/** One invariant: an expected and an actual figure (equal when it holds). */
export interface Invariant {
  what: string;
  expected: number | boolean;
  actual: number | boolean;
  ok: boolean;
}

const accepted = (results: OperationResult[], step: string) =>
  results.reduce((n, r) => n + (r.steps[step]?.accepted ?? 0), 0);

/**
 * The invariants of a run: zero errors, and every accepted response accounted for in the audit chain
 * (which verifies), the quota counter, the run meter and the billing outbox. Steps absent from the mix
 * add no invariant.
 */
export function invariants(results: OperationResult[], delta: Ledger): Invariant[] {
  const out: Invariant[] = [];
  const eq = (what: string, expected: number | boolean, actual: number | boolean) =>
    out.push({ what, expected, actual, ok: expected === actual });
  // Requests the generator gave up on (never answered, or a broken connection) may still have been
  // done by the server: what it recorded may exceed what the generator saw by at most that many.
  const abandoned = (step: string) =>
    results.reduce((n, r) => n + (step in r.steps ? r.unanswered + r.transportErrors : 0), 0);
  const seen = (what: string, step: string, expected: number, actual: number) => {
    const slack = abandoned(step);
    if (slack === 0) return eq(what, expected, actual);
    out.push({
      what: `${what} (+ at most the ${slack} ${step} requests the generator gave up on)`,
      expected,
      actual,
      ok: actual >= expected && actual <= expected + slack,
    });
  };
  const answered = (step: string) => results.reduce((n, r) => n + (r.steps[step]?.answered ?? 0), 0);
  const has = (step: string) => results.some((r) => step in r.steps);

  eq(
    'errors (transport, HTTP, GraphQL and run errors)',
    0,
    results.reduce((n, r) => n + errorCount(r), 0),
  );
  eq('audit chain verifies', true, delta.chainVerified);
  if (has('pluginRun')) {
    // A run that reached the sandbox is audited as plugin.run, charged, metered and billed whatever its
    // outcome; one refused before (kill switch, not installed, quota) is audited as plugin.run.denied.
    const runs = delta.audit['plugin.run'] ?? 0;
    seen(
      'audit plugin.run + plugin.run.denied = answered pluginRun',
      'pluginRun',
      answered('pluginRun'),
      runs + (delta.audit['plugin.run.denied'] ?? 0),
    );
    eq('quota calls used = audit plugin.run', runs, delta.quotaCalls);
    eq(
      'meter plugin_exec_ms count (all outcomes) = audit plugin.run',
      runs,
      Object.values(delta.meterRuns).reduce((a, b) => a + b, 0),
    );
    seen(
      'meter plugin_exec_ms{outcome="ok"} count = accepted runs',
      'pluginRun',
      accepted(results, 'pluginRun'),
      delta.meterRuns.ok ?? 0,
    );
    eq('billing outbox: runs with an event = audit plugin.run', runs, delta.billedRuns);
  }
  if (has('requestPolicyChange')) {
    seen(
      'audit review.requested (policy_change) = accepted requestPolicyChange',
      'requestPolicyChange',
      accepted(results, 'requestPolicyChange'),
      delta.audit['review.requested:policy_change'] ?? 0,
    );
  }
  if (has('install')) {
    eq(
      'audit plugin.installed = accepted installs',
      accepted(results, 'install'),
      delta.audit['plugin.installed'] ?? 0,
    );
    eq(
      'audit plugin.uninstalled = accepted uninstalls',
      accepted(results, 'uninstall'),
      delta.audit['plugin.uninstalled'] ?? 0,
    );
  }
  if (has('ingest')) {
    const ingests = accepted(results, 'ingest');
    eq('audit ingest.accepted = accepted ingests', ingests, delta.audit['ingest.accepted'] ?? 0);
    eq(
      'meter contract_checks_total{subject="person",edge="ingest",result="pass"} = accepted ingests',
      ingests,
      delta.contractChecks['person/ingest/pass'] ?? 0,
    );
  }
  if (has('export')) {
    eq(
      'audit review.requested (export) = accepted exports',
      accepted(results, 'export'),
      delta.audit['review.requested:export'] ?? 0,
    );
    const approvals = accepted(results, 'approve');
    eq('audit review.applied = accepted approvals', approvals, delta.audit['review.applied'] ?? 0);
    eq('audit export.delivered = accepted approvals', approvals, delta.audit['export.delivered'] ?? 0);
  }
  return out;
}
