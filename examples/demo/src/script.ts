// The demo script, step by step, against a real host on embedded defaults.
// Every step states what it checks; the process exits non-zero if any check fails.
import type { ExtensionHost, PluginRunResult } from '@intelgraph/host';
import { USERS } from './seed.js';

type Out = (line?: string) => void;

/** Collects checks; `failures` counts the ones that did not hold. */
export class Checks {
  failures = 0;
  constructor(private readonly out: Out) {}
  that(condition: boolean, what: string): boolean {
    this.out(`    ${condition ? '✔' : '✘'} ${what}`);
    if (!condition) this.failures++;
    return condition;
  }
}

const fmtCost = (r: PluginRunResult) =>
  r.cost ? `${r.cost.amount} ${r.cost.currency} (minor units)` : 'n/a';

function printRun(out: Out, r: PluginRunResult): void {
  const p = r.provenance;
  if (p) {
    out(
      `    provenance: ${p.plugin.id}@${p.plugin.version} code ${p.plugin.codeSha256.slice(0, 12)}… manifest ${p.plugin.manifestSha256.slice(0, 12)}…`,
    );
    out(
      `                scopes [${p.grantedScopes.join(', ')}], input ${p.inputSha256.slice(0, 12)}…, outcome ${p.outcome}`,
    );
    for (const c of p.hostCalls)
      out(`                host call ${c.method} (${c.scope}) rows=${c.rows} ${c.ms.toFixed(2)} ms`);
    out(`                entities touched: ${p.entities.join(', ') || '—'}`);
  }
  if (r.usage && r.budgets) {
    const u = r.usage;
    const b = r.budgets;
    out(
      `    usage: wall ${u.wallMs.toFixed(1)}/${b.wallMs ?? '∞'} ms, cpu ${u.cpuMs.toFixed(1)}/${b.cpuMs ?? '∞'} ms, rows ${u.rows}/${b.rows ?? '∞'}, output ${u.outputBytes} B, heap ${(u.heapBytes / 1e6).toFixed(1)} MB`,
    );
  }
  out(`    cost: ${fmtCost(r)}`);
}

/** Runs the four demo steps. */
export async function runDemoScript(host: ExtensionHost, out: Out): Promise<Checks> {
  const check = new Checks(out);
  const { alice, bob, carol } = USERS;

  out(
    'Step 1. Install sample-enricher from the marketplace, grant minimal capabilities, run it with a budget',
  );
  const hits = await host.plugins.search(alice, { q: 'enricher', limit: 3 });
  out(`    search "enricher": ${hits.map((h) => `${h.pluginId} (${h.score.toFixed(2)})`).join(', ')}`);
  check.that(
    hits.some((h) => h.pluginId === 'sample-enricher'),
    'search finds sample-enricher among the top 3',
  );
  const detail = await host.plugins.get(alice, 'sample-enricher');
  out(
    `    requests: required [${detail.capabilities.required.map((c) => c.scope).join(', ')}], optional [${detail.capabilities.optional.map((c) => c.scope).join(', ')}], risk ${detail.risk}`,
  );
  const installed = await host.plugins.install(alice, { pluginId: 'sample-enricher' });
  check.that(installed.status === 'installed', 'installed without review (low risk)');
  if (installed.status === 'installed') {
    out(
      `    pinned ${installed.installation.version}, granted [${installed.installation.grants.join(', ')}]`,
    );
    check.that(
      installed.installation.grants.join() === 'graph:read',
      'only the required scope was granted (no optional ones)',
    );
  }
  const run = await host.plugins.run(alice, 'sample-enricher', { q: 'acme', limit: 5 });
  check.that(run.ok, 'the run succeeded in the sandbox');
  const top = (run.value as { id: string; score: number }[] | undefined) ?? [];
  out(`    result: ${top.map((e) => `${e.id}=${e.score}`).join(', ')}`);
  printRun(out, run);
  check.that(
    run.provenance !== null && run.provenance.hostCalls.length > 0,
    'provenance lists the host calls',
  );
  check.that(run.cost !== null && run.cost.amount >= 0, 'the run carries a cost');
  const again = await host.plugins.run(alice, 'sample-enricher', { q: 'acme', limit: 5 });
  check.that(
    JSON.stringify(again.value) === JSON.stringify(run.value),
    'scores are deterministic (same input, same scores)',
  );
  if (run.provenance) {
    const replay = await host.plugins.replay(alice, run.provenance.runId);
    check.that(
      replay.identical,
      `the run replays identically from its recording (output ${replay.outputSha256?.slice(0, 12)}…)`,
    );
  }
  const denied = await host.plugins.run(alice, 'case-exporter', {});
  check.that(
    !denied.ok && denied.error?.code === 'NOT_FOUND',
    `a plugin that is not installed is refused (${denied.error?.code})`,
  );
  out();

  out('Step 2. Ingest JSON that fails its contract, fix it with the suggested mapping patch, ingest again');
  const batch = [
    { id: 'p-1', name: 'Ada Lovelace', dob: '1815-12-10' },
    { id: 'p-2', fullName: 'Charles Babbage', dob: '1791-12-26' },
  ];
  const first = await host.contracts.ingest(alice, 'person', batch);
  check.that(
    first.status === 'rejected',
    `the batch is rejected whole (${first.rejected} of ${batch.length} records, nothing written)`,
  );
  for (const r of first.records.filter((x) => !x.ok)) {
    for (const e of r.errors) out(`    record ${r.index}: ${e.path || '/'} ${e.message}`);
    for (const op of r.patch)
      out(
        `    suggested: ${op.op} ${'from' in op && op.from ? `${op.from} → ` : ''}${op.path}  (${op.reason}, confidence ${op.confidence})`,
      );
  }
  const diff = await host.contracts.diff(alice, { subject: 'person', from: 1, to: 2 });
  out(
    `    person v1 → v2: ${diff.changes.map((c) => `${c.kind} ${c.path}`).join('; ')} (compatible: ${diff.compatible})`,
  );
  check.that(diff.changes.length > 0, 'the diff view lists typed changes');
  const failing = first.records.find((r) => !r.ok);
  check.that((failing?.patch.length ?? 0) > 0, 'a mapping patch is suggested for the failing record');
  const patched = batch.map((record, i) => first.records[i]?.patched ?? record);
  const retest = await host.contracts.test(alice, { subject: 'person', records: patched });
  check.that(
    retest.records.every((r) => r.ok),
    'the contract tests pass on the patched batch',
  );
  const second = await host.contracts.ingest(alice, 'person', patched);
  check.that(
    second.status === 'accepted' && second.accepted === 2,
    `the ingest proceeds (${second.accepted} accepted)`,
  );
  check.that(
    (await host.graph.entity(alice, 'p-2'))?.name === 'Charles Babbage',
    'the ingested person is in the graph',
  );
  out();

  out('Step 3. Request an export policy change, approve it; then a denied request and its appeal');
  const before = await host.governance.policy(alice, 'export');
  out(
    `    export policy v${before.version}: exports of at most ${String(before.policy.params.maxRecords)} records need no review`,
  );
  const change = await host.governance.request(alice, {
    kind: 'policy_change',
    payload: { kind: 'export', params: { maxRecords: 1 } },
    reason: 'tighten export: every multi-record export needs a steward',
  });
  out(`    ${change.id} requested by alice, state ${change.state}, due ${change.dueAt}`);
  const selfApproval = await host.governance.approve(alice, change.id).then(
    () => 'allowed',
    (e: { code?: string }) => e.code ?? 'error',
  );
  check.that(selfApproval === 'FORBIDDEN', 'the requester cannot approve her own request');
  const approved = await host.governance.approve(bob, change.id, { note: 'agreed' });
  check.that(
    approved.state === 'applied',
    `bob approves; the change is applied exactly once (${approved.state})`,
  );
  const after = await host.governance.policy(alice, 'export');
  check.that(
    after.policy.params.maxRecords === 1 && after.version === before.version + 1,
    `the export policy is now v${after.version} with maxRecords ${String(after.policy.params.maxRecords)}`,
  );
  const exp = await host.contracts.export(alice, 'person', patched, {
    destination: 's3://exports/persons.json',
    reason: 'quarterly report',
  });
  check.that(exp.status === 'pending_review', 'an export of 2 records now waits for review');
  const reviewTask = exp.reviewTask;
  if (reviewTask) {
    const deniedTask = await host.governance.deny(bob, reviewTask.id, {
      reason: 'destination bucket is not approved for PII',
    });
    check.that(
      deniedTask.state === 'denied',
      `bob denies with a reason: "${deniedTask.decisions.at(-1)?.note ?? ''}"`,
    );
    const appeal = await host.governance.appeal(alice, reviewTask.id, {
      reason: 'the bucket is encrypted and access-logged; see ticket SEC-42',
    });
    check.that(
      appeal.state === 'pending' && appeal.appealOf === reviewTask.id,
      `alice appeals: ${appeal.id} is pending, linked to ${reviewTask.id}`,
    );
    const carolQueue = await host.governance.queue(carol, { scope: 'reviewable' });
    const bobQueue = await host.governance.queue(bob, { scope: 'reviewable' });
    check.that(
      carolQueue.items.some((t) => t.id === appeal.id),
      "the appeal is in carol's queue (a fresh reviewer)",
    );
    check.that(
      !bobQueue.items.some((t) => t.id === appeal.id),
      'the original denier bob is not eligible for the appeal',
    );
    const trail = await host.governance.auditTrail(alice, reviewTask.id);
    check.that(trail.verified, `the task's audit trail (${trail.events.length} events) verifies`);
  }
  out();

  out('Step 4. FinOps: plugin p95, costs and quotas; marketplace search and ratings');
  for (const q of ['acme', 'coyote', 'holdings', 'road', 'globex'])
    await host.plugins.run(alice, 'sample-enricher', { q });
  await host.plugins.rate(alice, 'sample-enricher', {
    stars: 5,
    comment: 'Fast and explainable scores',
  });
  const board = await host.finops.dashboard(alice);
  for (const p of board.plugins) {
    out(
      `    ${p.pluginId}: ${p.runs} runs, p50 ${p.p50Ms?.toFixed(1)} ms, p95 ${p.p95Ms?.toFixed(1)} ms, cpu ${p.cpuMs.toFixed(1)} ms, rows ${p.rows}, cost ${p.cost} ${board.currency}`,
    );
  }
  for (const q of board.quotas)
    out(`    quota ${q.pluginId ?? 'org'} ${q.resource}/${q.window} (${q.mode}): ${q.used} of ${q.limit}`);
  out(
    `    approvals: ${board.approvals.open} open, ${board.approvals.overdue} overdue, ${board.approvals.decided} decided`,
  );
  out(
    `    contract checks: ${board.contractChecks.map((c) => `${c.subject}/${c.edge} ${c.passed} passed ${c.failed} failed`).join('; ')}`,
  );
  check.that(
    (board.plugins.find((p) => p.pluginId === 'sample-enricher')?.runs ?? 0) >= 7,
    'the dashboard counts every run',
  );
  check.that(
    board.quotas.some((q) => q.resource === 'calls' && q.used >= 7),
    'quota usage reflects the runs',
  );
  const { rating } = await host.plugins.get(alice, 'sample-enricher');
  out(`    sample-enricher rating: ${rating.score} (Bayesian, ${rating.count} rating)`);
  const metrics = await host.metrics.metrics();
  check.that(/plugin_exec_ms_bucket/.test(metrics), 'plugin_exec_ms is exported for Prometheus');
  // Verifying the whole chain (every org's events) is an operator's job: the raw audit trail.
  const chain = await host.internals.audit.verify();
  check.that(chain.ok, `the whole audit chain verifies (${chain.ok ? chain.count : 0} events)`);
  out();
  return check;
}
