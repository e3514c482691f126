import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../../examples/demo/src/seed.js';
import { startTestServer, TEST_METRICS_TOKEN, type TestServer } from './support.js';

// The demo (examples/demo), one step per test, over GraphQL with a real HTTP client against the Express app.
const { alice, bob, carol, erin } = USERS;
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const INSTALL = /* GraphQL */ `
  mutation Install($id: ID!, $grant: [String!]) {
    pluginInstall(id: $id, grant: $grant) { status installation { pluginId version pinned grantedScopes } reviewTask { id kind } }
  }`;
const RUN = /* GraphQL */ `
  mutation Run($id: ID!, $input: JSON!) {
    pluginRun(id: $id, input: $input) {
      ok value error { code message }
      usage { wallMs cpuMs rows outputBytes }
      budgets { wallMs rows }
      cost { currency amount }
      provenance { runId plugin { id version codeSha256 manifestSha256 } grantedScopes inputSha256 hostCalls { scope method rows } entities outcome }
      logs { level message }
    }
  }`;

describe('demo over GraphQL', () => {
  it('step 1: search, install with minimal capabilities, run with provenance and cost', async () => {
    const search = await s.gql<{
      search: { plugin: { id: string; capabilities: { scope: string; kind: string }[] } }[];
    }>(
      alice,
      'query Search($q: String!) { search(query: $q, limit: 3) { plugin { id capabilities { scope kind } } score } }',
      { q: 'enricher' },
    );
    expect(search.data?.search.map((h) => h.plugin.id)).toContain('sample-enricher');
    const install = await s.gql<{
      pluginInstall: { status: string; installation: { grantedScopes: string[]; pinned: boolean } };
    }>(alice, INSTALL, {
      id: 'sample-enricher',
    });
    expect(install.errors).toBeUndefined();
    expect(install.data?.pluginInstall.status).toBe('installed');
    expect(install.data?.pluginInstall.installation.grantedScopes).toEqual(['graph:read']);
    const run = await s.gql<{
      pluginRun: {
        ok: boolean;
        value: { id: string }[];
        cost: { amount: number };
        provenance: { entities: string[]; hostCalls: unknown[]; plugin: { id: string } };
      };
    }>(alice, RUN, { id: 'sample-enricher', input: { q: 'acme', limit: 3 } });
    expect(run.data?.pluginRun.ok).toBe(true);
    expect(run.data?.pluginRun.value[0]?.id).toBe('org-acme');
    expect(run.data?.pluginRun.provenance.plugin.id).toBe('sample-enricher');
    expect(run.data?.pluginRun.provenance.entities).toContain('org-acme');
    expect(run.data?.pluginRun.provenance.hostCalls.length).toBeGreaterThan(0);
    expect(run.data?.pluginRun.cost.amount).toBeGreaterThan(0);
  });

  it('step 2: a failing ingest shows errors and a patch; the patched batch tests clean and ingests', async () => {
    const batch = [{ id: 'p-2', fullName: 'Charles Babbage' }];
    const failed = await s.gql<{
      ingest: {
        status: string;
        records: { ok: boolean; patch: { op: string; from: string; path: string }[]; patched: unknown }[];
      };
    }>(
      alice,
      'mutation Ingest($s: String!, $b: [JSON!]!) { ingest(subject: $s, batch: $b) { status accepted rejected records { ok errors { path message } patch { op from path reason confidence } patched patchValid } } }',
      { s: 'person', b: batch },
    );
    expect(failed.data?.ingest.status).toBe('rejected');
    const rec = failed.data?.ingest.records[0];
    expect(rec?.patch[0]).toMatchObject({ op: 'move', from: '/fullName', path: '/name' });
    const diff = await s.gql<{ contractDiff: { changes: { kind: string }[]; compatible: boolean } }>(
      alice,
      'query D($s: String!) { contractDiff(subject: $s, from: 1, to: 2) { compatible changes { kind path breaking } } }',
      { s: 'person' },
    );
    expect(diff.data?.contractDiff.changes.length).toBeGreaterThan(0);
    const applied = await s.gql<{ contractApplyPatch: { ok: boolean; patched: unknown } }>(
      alice,
      'query P($s: String!, $r: JSON!, $p: [PatchOperationInput!]!) { contractApplyPatch(subject: $s, record: $r, patch: $p) { ok patched } }',
      { s: 'person', r: batch[0], p: rec?.patch.map(({ op, from, path }) => ({ op, from, path })) },
    );
    expect(applied.data?.contractApplyPatch).toEqual({
      ok: true,
      patched: { id: 'p-2', name: 'Charles Babbage' },
    });
    const tested = await s.gql<{ contractTest: { ok: boolean } }>(
      alice,
      'query T($s: String!, $r: [JSON!]!) { contractTest(subject: $s, records: $r) { ok records { ok } } }',
      { s: 'person', r: [applied.data?.contractApplyPatch.patched] },
    );
    expect(tested.data?.contractTest.ok).toBe(true);
    const ingested = await s.gql<{ ingest: { status: string; accepted: number } }>(
      alice,
      'mutation Ingest($s: String!, $b: [JSON!]!) { ingest(subject: $s, batch: $b) { status accepted } }',
      { s: 'person', b: [applied.data?.contractApplyPatch.patched] },
    );
    expect(ingested.data?.ingest).toEqual({ status: 'accepted', accepted: 1 });
  });

  it('step 3: a policy change is approved by a second user and applies; a denial is appealed to fresh reviewers', async () => {
    const requested = await s.gql<{ requestPolicyChange: { id: string; status: string } }>(
      alice,
      'mutation R($k: String!, $p: JSON!, $r: String!) { requestPolicyChange(kind: $k, payload: $p, reason: $r) { id status } }',
      { k: 'export', p: { maxRecords: 0 }, r: 'every export needs a steward' },
    );
    const id = requested.data?.requestPolicyChange.id;
    expect(requested.data?.requestPolicyChange.status).toBe('pending');
    const self = await s.gql(alice, 'mutation A($id: ID!) { reviewApprove(id: $id) { id } }', { id });
    expect(self.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const approved = await s.gql<{ reviewApprove: { status: string } }>(
      bob,
      'mutation A($id: ID!, $n: String) { reviewApprove(id: $id, note: $n) { status } }',
      {
        id,
        n: 'ok',
      },
    );
    expect(approved.data?.reviewApprove.status).toBe('applied');

    const exported = await s.gql<{ export: { status: string; reviewTask: { id: string } } }>(
      alice,
      'mutation E($s: String!, $b: [JSON!]!) { export(subject: $s, batch: $b) { status reviewTask { id } } }',
      { s: 'person', b: [{ id: 'p-1', name: 'Ada' }] },
    );
    expect(exported.data?.export.status).toBe('pending_review');
    const taskId = exported.data?.export.reviewTask.id;
    const noReason = await s.gql(
      bob,
      'mutation D($id: ID!, $r: String!) { reviewDeny(id: $id, reason: $r) { status } }',
      { id: taskId, r: '' },
    );
    expect(noReason.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    const denied = await s.gql<{ reviewDeny: { status: string } }>(
      bob,
      'mutation D($id: ID!, $r: String!) { reviewDeny(id: $id, reason: $r) { status reason } }',
      {
        id: taskId,
        r: 'no approved destination',
      },
    );
    expect(denied.data?.reviewDeny.status).toBe('denied');
    const appeal = await s.gql<{ reviewAppeal: { id: string; status: string; appealOf: string } }>(
      alice,
      'mutation P($id: ID!, $r: String!) { reviewAppeal(id: $id, reason: $r) { id status appealOf } }',
      { id: taskId, r: 'destination was approved in SEC-42' },
    );
    expect(appeal.data?.reviewAppeal).toMatchObject({ status: 'pending', appealOf: taskId });
    const queue = await s.gql<{ reviewQueue: { items: { id: string }[] } }>(
      carol,
      'query Q { reviewQueue(scope: reviewable) { items { id kind status } } }',
    );
    expect(queue.data?.reviewQueue.items.map((t) => t.id)).toContain(appeal.data?.reviewAppeal.id);
    const trail = await s.gql<{ reviewAuditTrail: { verified: boolean } }>(
      alice,
      'query T($id: ID!) { reviewAuditTrail(id: $id) { verified events { type } } }',
      {
        id: taskId,
      },
    );
    expect(trail.data?.reviewAuditTrail.verified).toBe(true);
  });

  it('step 3, the web app\'s form: kind "policy_change" takes { kind, params }; unknown params are refused and nothing is filed', async () => {
    const mutation =
      'mutation R($k: String!, $p: JSON!, $r: String!) { requestPolicyChange(kind: $k, payload: $p, reason: $r) { id status payload } }';
    const queued = async () =>
      (
        await s.gql<{ reviewQueue: { items: { id: string }[] } }>(
          alice,
          'query Q { reviewQueue(scope: requested, first: 200) { items { id } } }',
        )
      ).data?.reviewQueue.items.length ?? -1;
    const before = await queued();
    const filed = await s.gql<{ requestPolicyChange: { status: string; payload: unknown } }>(
      alice,
      mutation,
      {
        k: 'policy_change',
        p: { kind: 'export', params: { maxRecords: 250 } },
        r: 'quarterly audit needs larger exports',
      },
    );
    expect(filed.errors).toBeUndefined();
    expect(filed.data?.requestPolicyChange).toMatchObject({
      status: 'pending',
      payload: { kind: 'export', params: { maxRecords: 250 } },
    });
    for (const [k, p] of [
      ['policy_change', { kind: 'export', params: { maxRecordz: 250 } }],
      ['export', { dataset: 'cases', redacted: 0.6 }],
      ['export', { maxRecords: 'many' }],
    ] as const) {
      const refused = await s.gql(alice, mutation, { k, p, r: 'typo' });
      expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(p)).toBe('INVALID_INPUT');
    }
    expect(await queued()).toBe(before + 1);
  });

  it('step 4: the FinOps dashboard shows the runs, quotas and approvals; search and ratings work', async () => {
    const rated = await s.gql<{ pluginRate: { stars: number } }>(
      alice,
      'mutation R($id: ID!) { pluginRate(id: $id, stars: 5, review: "great") { stars } }',
      {
        id: 'sample-enricher',
      },
    );
    expect(rated.data?.pluginRate.stars).toBe(5);
    const board = await s.gql<{
      finopsDashboard: {
        plugins: { pluginId: string; runs: number; p95Ms: number }[];
        quotas: { resource: string; used: number }[];
        approvals: { decided: number };
      };
    }>(
      alice,
      'query { finopsDashboard { currency plugins { pluginId runs p95Ms cost } p95Series { pluginId points { at value } } quotas { resource used limit } contractChecks { subject failed passed } approvals { open overdue decided medianDecisionSeconds } killSwitches { scope } } }',
    );
    const enricher = board.data?.finopsDashboard.plugins.find((p) => p.pluginId === 'sample-enricher');
    expect(enricher?.runs).toBeGreaterThanOrEqual(1);
    expect(
      board.data?.finopsDashboard.quotas.find((q) => q.resource === 'calls')?.used,
    ).toBeGreaterThanOrEqual(1);
    expect(board.data?.finopsDashboard.approvals.decided).toBeGreaterThanOrEqual(2);
    const plugin = await s.gql<{
      plugin: { weightedRating: number; ratingCount: number; installCount: number };
    }>(
      alice,
      'query P($id: ID!) { plugin(id: $id) { weightedRating ratingCount installCount reviews { stars review } } }',
      { id: 'sample-enricher' },
    );
    expect(plugin.data?.plugin).toMatchObject({ ratingCount: 1, installCount: 1 });
  });
});

describe('GraphQL safety', () => {
  it('treats ids with quotes and braces as data (no injection)', async () => {
    const hostile = 'x"){ pluginUninstall(id:"sample-enricher") }#';
    const r = await s.gql<{ pluginRun: { ok: boolean; error: { code: string } } }>(alice, RUN, {
      id: hostile,
      input: {},
    });
    expect(r.data?.pluginRun.ok).toBe(false);
    expect(['INVALID_INPUT', 'NOT_FOUND']).toContain(r.data?.pluginRun.error.code);
    const installs = await s.gql<{ installations: { pluginId: string }[] }>(
      alice,
      'query { installations { pluginId } }',
    );
    expect(installs.data?.installations.map((i) => i.pluginId)).toContain('sample-enricher');
  });

  it('answers FORBIDDEN without an actor, and never lets one org read another', async () => {
    const anon = await s.gql(null, 'query { installations { pluginId } }');
    expect(anon.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const theirs = await s.gql<{ installations: unknown[] }>(erin, 'query { installations { pluginId } }');
    expect(theirs.data?.installations).toEqual([]);
    const usage = await s.gql<{ finopsDashboard: { plugins: unknown[] } }>(
      erin,
      'query { finopsDashboard { plugins { pluginId } } }',
    );
    expect(usage.data?.finopsDashboard.plugins).toEqual([]);
    const audit = await s.gql<{ auditTrail: { events: unknown[] } }>(
      erin,
      'query A($s: String!) { auditTrail(subject: $s) { events { type } } }',
      {
        s: 'plugin:sample-enricher',
      },
    );
    expect(audit.data?.auditTrail.events).toEqual([]);
    const task = await s.gql(erin, 'query Q { reviewQueue(scope: requested) { items { id } } }');
    expect(task.errors).toBeUndefined();
  });

  it('rejects queries over the depth limit with INVALID_INPUT', async () => {
    const deep =
      'query { reviewQueue { items { decisions { evidence { sha256 } actor { id } } quorum { rules { selectors } } } } }';
    expect((await s.gql(alice, deep)).errors).toBeUndefined();
    const tooDeep = `query { catalog { ${'versions { capabilities { scope } } '.repeat(1)} } me { userId } plugin(id: "x") { versions { capabilities { scope } } } }`;
    expect((await s.gql(alice, tooDeep)).errors).toBeUndefined();
    let nested = 'id';
    for (let i = 0; i < 12; i++) nested = `plugin { ${nested} }`;
    const r = await s.gql(alice, `query { search(query: "a") { ${nested} } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });
});

describe('HTTP surface', () => {
  it('serves /healthz, /readyz and parseable /metrics', async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const auth = { authorization: `Bearer ${TEST_METRICS_TOKEN}` };
    const ready = await fetch(`${s.url}/readyz`, { headers: auth });
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ok: boolean }).ok).toBe(true);
    const metrics = await fetch(`${s.url}/metrics`, { headers: auth });
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    // Every sample line is `name{labels} value` (Prometheus text format 0.0.4).
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(samples.length).toBeGreaterThan(0);
    for (const line of samples)
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+|NaN|[+-]Inf$/);
    expect(text).toMatch(/plugin_exec_ms_bucket\{/);
  });

  it('limits body size and answers typed errors', async () => {
    const big = JSON.stringify({ query: 'query { ping }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const r = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(r.status).toBe(413);
    const upload = await fetch(`${s.url}/plugins/packages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-intelgraph-user': 'alice',
        'x-intelgraph-org': 'acme',
        'x-intelgraph-roles': 'admin',
      },
      body: JSON.stringify({ manifest: { name: 'x' }, files: {} }),
    });
    expect(upload.status).toBe(400);
    expect(((await upload.json()) as { error: { code: string } }).error.code).toBe('SIGNATURE_INVALID');
  });
});
