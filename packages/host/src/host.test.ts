import { type Actor, createManualClock, sequentialIds } from '@intelgraph/core';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterEach, describe, expect, it } from 'vitest';
import { createExtensionHost, type ExtensionHost } from './host.js';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const erin: Actor = { userId: 'erin', orgId: 'globex', roles: ['analyst', 'admin'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };

const key = generatePublisherKeyPair();

async function publish(host: ExtensionHost, manifest: Record<string, unknown>, code: string): Promise<void> {
  const pkg = await signPluginPackage(
    {
      manifest: { version: '1.0.0', entry: 'index.js', publisher: 'acme-labs', ...manifest },
      files: { 'index.js': code },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
}

const hosts: ExtensionHost[] = [];
async function newHost(options: Parameters<typeof createExtensionHost>[0] = {}): Promise<ExtensionHost> {
  const host = await createExtensionHost({
    database: 'memory',
    clock: createManualClock(Date.UTC(2026, 3, 1)),
    ids: sequentialIds(),
    prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } },
    sandbox: { poolSize: 1 },
    ...options,
  });
  hosts.push(host);
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  await host.internals.graph.forOrg('acme').upsert({
    entities: [
      { id: 'e1', type: 'Organization', name: 'Acme Corporation', properties: { degree: 4 } },
      { id: 'e2', type: 'Organization', name: 'Acme Holdings', properties: {} },
    ],
  });
  return host;
}

afterEach(async () => {
  while (hosts.length) await hosts.pop()?.close();
});

const SEARCHER = `module.exports.run = async (input, api) => {
  const found = await api.graph.search({ q: input.q, limit: 10 });
  return found.map((e) => ({ id: e.id, label: e.label }));
};`;

describe('createExtensionHost: the plugin run hot path', () => {
  it('installs with the required scopes and runs with provenance, usage and cost', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'searcher', capabilities: { graph: ['read'] }, budgets: { ms: 2000, rows: 100 } },
      SEARCHER,
    );
    const installed = await host.plugins.install(alice, { pluginId: 'searcher' });
    expect(installed.status).toBe('installed');
    const r = await host.plugins.run(alice, 'searcher', { q: 'acme' });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.value).toEqual([
      { id: 'e1', label: 'Acme Corporation' },
      { id: 'e2', label: 'Acme Holdings' },
    ]);
    expect(r.provenance?.plugin).toMatchObject({ id: 'searcher', version: '1.0.0' });
    expect(r.provenance?.grantedScopes).toEqual(['graph:read']);
    expect(r.provenance?.hostCalls.map((c) => c.method)).toEqual(['graph.search']);
    expect(r.provenance?.entities).toEqual(['e1', 'e2']);
    expect(r.usage?.rows).toBe(2);
    expect(r.cost?.currency).toBe('usd_micros');
    expect(r.cost?.amount).toBeGreaterThanOrEqual(102); // one call + two rows, plus CPU
    const events = await host.internals.audit.list({ type: 'plugin.run' });
    expect(events).toHaveLength(1);
    expect((await host.internals.audit.verify()).ok).toBe(true);
  });

  it('labels run metrics with the installed plugin and its org, and unknown ids as other', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'searcher', capabilities: { graph: ['read'] }, budgets: { ms: 2000 } },
      SEARCHER,
    );
    await host.plugins.install(alice, { pluginId: 'searcher' });
    await host.plugins.run(alice, 'searcher', { q: 'acme' });
    await host.plugins.run(alice, 'not-installed-anywhere', { q: 'acme' });
    const text = await host.metrics.metrics();
    expect(text).toContain('plugin_exec_ms_count{plugin="searcher",outcome="ok"} 1');
    expect(text).toMatch(/plugin_cost_total\{plugin="searcher",org="acme",currency="usd_micros"\} \d+/);
    expect(text).not.toContain('not-installed-anywhere');
  });

  it('labels contract checks pass or fail by subject and edge, as the dashboard queries them', async () => {
    const host = await newHost();
    await host.contracts.register(bob, {
      subject: 'person',
      format: 'json',
      schema: {
        type: 'object',
        required: ['id', 'name'],
        properties: { id: { type: 'string' }, name: { type: 'string' } },
      },
    });
    expect((await host.contracts.ingest(alice, 'person', [{ id: 'p1', name: 'Ada' }])).status).toBe(
      'accepted',
    );
    expect((await host.contracts.ingest(alice, 'person', [{ id: 'p2' }])).status).toBe('rejected');
    const text = await host.metrics.metrics();
    expect(text).toContain('contract_checks_total{subject="person",edge="ingest",result="pass"} 1');
    expect(text).toContain('contract_checks_total{subject="person",edge="ingest",result="fail"} 1');
  });

  it('denies in order: kill switch, then installation, then quota', async () => {
    const host = await newHost();
    await publish(host, { name: 'searcher', capabilities: { graph: ['read'] } }, SEARCHER);
    expect((await host.plugins.run(alice, 'searcher', { q: 'x' })).error?.code).toBe('NOT_FOUND');
    await host.plugins.install(alice, { pluginId: 'searcher' });
    await host.finops.killSwitch(alice, {
      scope: 'plugin',
      target: 'searcher',
      on: true,
      reason: 'incident 7',
    });
    const killed = await host.plugins.run(alice, 'searcher', { q: 'x' });
    expect(killed.error?.code).toBe('KILL_SWITCH');
    expect(killed.provenance).toBeNull();
    await host.finops.killSwitch(alice, {
      scope: 'plugin',
      target: 'searcher',
      on: false,
      reason: 'resolved',
    });
    await host.finops.setQuota(alice, { resource: 'calls', limit: 1, window: 'hour', mode: 'hard' });
    expect((await host.plugins.run(alice, 'searcher', { q: 'x' })).ok).toBe(true);
    const over = await host.plugins.run(alice, 'searcher', { q: 'x' });
    expect(over.error?.code).toBe('QUOTA_EXCEEDED');
    expect(
      (await host.internals.audit.list({ type: 'plugin.run.denied' })).map(
        (e) => (e.data as { code: string }).code,
      ),
    ).toEqual(['NOT_FOUND', 'KILL_SWITCH', 'QUOTA_EXCEEDED']);
  });

  it('reports budget denials with usage and provenance, and the plugin only sees granted methods', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'greedy', capabilities: { graph: ['read'] }, budgets: { ms: 2000, rows: 1 } },
      `module.exports.run = async (input, api) => ({ hasCases: typeof api.cases, found: await api.graph.search({ q: 'acme', limit: 10 }) });`,
    );
    await host.plugins.install(alice, { pluginId: 'greedy' });
    const r = await host.plugins.run(alice, 'greedy', {});
    // The rows budget is pushed down as the store limit, so the plugin gets one row and no more.
    expect(r.ok).toBe(true);
    expect((r.value as { found: unknown[] }).found).toHaveLength(1);
    expect((r.value as { hasCases: string }).hasCases).toBe('undefined');

    await publish(
      host,
      { name: 'spinner', budgets: { ms: 200 } },
      'module.exports.run = async () => { for (;;) {} };',
    );
    await host.plugins.install(alice, { pluginId: 'spinner' });
    const spun = await host.plugins.run(alice, 'spinner', {});
    expect(spun.ok).toBe(false);
    expect(spun.error?.code).toBe('BUDGET_EXCEEDED');
    expect(spun.usage).not.toBeNull();
    expect(spun.provenance?.outcome).toBe('BUDGET_EXCEEDED');
    expect(spun.cost).not.toBeNull();
  });

  it('checks the input and output contracts named by the manifest', async () => {
    const host = await newHost();
    await host.contracts.register(bob, {
      subject: 'query',
      format: 'json',
      schema: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } },
    });
    await host.contracts.register(bob, {
      subject: 'answer',
      format: 'json',
      schema: {
        type: 'array',
        items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      },
    });
    await publish(
      host,
      {
        name: 'searcher',
        capabilities: { graph: ['read'] },
        inputSchema: { subject: 'query' },
        outputSchema: { subject: 'answer' },
      },
      SEARCHER,
    );
    await publish(
      host,
      { name: 'liar', outputSchema: { subject: 'answer' } },
      'module.exports.run = async () => [{ nope: 1 }];',
    );
    await host.plugins.install(alice, { pluginId: 'searcher' });
    await host.plugins.install(alice, { pluginId: 'liar' });
    const bad = await host.plugins.run(alice, 'searcher', { query: 'acme' });
    expect(bad.error?.code).toBe('CONTRACT_VIOLATION');
    expect((await host.plugins.run(alice, 'searcher', { q: 'acme' })).ok).toBe(true);
    const lie = await host.plugins.run(alice, 'liar', {});
    expect(lie.error?.code).toBe('CONTRACT_VIOLATION');
    expect(lie.provenance?.outcome).toBe('CONTRACT_VIOLATION');
  });
});

describe('createExtensionHost: governed operations', () => {
  it('routes a high-risk install through governance and installs once approved', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'writer', capabilities: { graph: ['write'] } },
      'module.exports.run = async () => 1;',
    );
    const pending = await host.plugins.install(alice, { pluginId: 'writer' });
    expect(pending.status).toBe('pending_review');
    if (pending.status !== 'pending_review') return;
    expect(pending.reviewTask.kind).toBe('plugin_install');
    expect(
      (await host.internals.marketplace.installations('acme')).some((i) => i.pluginId === 'writer'),
    ).toBe(false);
    const approved = await host.governance.approve(bob, pending.reviewTask.id, { note: 'reviewed the code' });
    expect(approved.apply, JSON.stringify(approved.apply)).toMatchObject({ status: 'succeeded' });
    expect(approved.state).toBe('applied');
    const inst = (await host.internals.marketplace.installations('acme')).find(
      (i) => i.pluginId === 'writer',
    );
    expect(inst?.grants).toEqual(['graph:write']);
  });

  it('auto-approves small exports (decided and audited) and holds large ones for review', async () => {
    const host = await newHost({
      policies: [
        {
          kind: 'export',
          approvals: [{ count: 1, role: 'steward' }],
          params: { maxRecords: 2 },
          autoApprove: { when: { path: 'records', op: 'lte', param: 'maxRecords' } },
        },
      ],
    });
    await host.contracts.register(bob, {
      subject: 'person',
      format: 'json',
      schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    });
    const small = await host.contracts.export(alice, 'person', [{ id: 'a' }]);
    expect(small.status).toBe('accepted');
    expect(small.reviewTask?.autoApproved).toBe(true);
    const big = await host.contracts.export(alice, 'person', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(big.status).toBe('pending_review');
    const approved = await host.governance.approve(bob, big.reviewTask!.id);
    expect(approved.state).toBe('applied');
    const delivered = await host.internals.audit.list({ type: 'export.delivered' });
    expect(delivered.map((e) => (e.data as { records: number }).records)).toEqual([1, 3]);
    const rejected = await host.contracts.export(alice, 'person', [{ name: 'no id' }]);
    expect(rejected.status).toBe('rejected');
    expect(rejected.records[0]?.errors[0]?.path).toBe('/id');
  });

  it('changes enforcement through governance, and merges entities only after approval', async () => {
    const host = await newHost();
    await host.contracts.register(bob, {
      subject: 'person',
      format: 'json',
      schema: { type: 'object', required: ['id'] },
    });
    const relax = await host.contracts.setEnforcement(alice, {
      subject: 'person',
      edge: 'ingest',
      mode: 'warn',
      reason: 'migration week',
    });
    expect(relax.status).toBe('pending_review');
    expect(host.internals.gates.mode('person', 'ingest')).toBe('enforce');
    await host.governance.approve(bob, relax.reviewTask.id);
    expect(host.internals.gates.mode('person', 'ingest')).toBe('warn');
    const warned = await host.contracts.ingest(alice, 'person', [{ name: 'no id' }]);
    expect(warned.status).toBe('accepted');

    const merge = await host.governance.mergeEntities(alice, {
      survivorId: 'e1',
      mergedId: 'e2',
      reason: 'same company',
    });
    expect(merge.status).toBe('pending_review');
    expect(await host.internals.graph.forOrg('acme').getEntity('e2')).not.toBeNull();
    await host.governance.approve(bob, merge.reviewTask.id);
    expect(await host.internals.graph.forOrg('acme').getEntity('e2')).toBeNull();
    expect((await host.internals.graph.forOrg('acme').getEntity('e1'))?.mergedFrom).toContain('e2');
  });
});

describe('createExtensionHost: boundaries', () => {
  it('rejects a malformed actor with INVALID_INPUT, and role-gated operations with FORBIDDEN', async () => {
    const host = await newHost();
    await expect(host.plugins.run({ userId: '', orgId: 'acme', roles: [] }, 'x', {})).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(host.finops.killSwitch(bob, { scope: 'org', on: true, reason: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      host.finops.killSwitch(alice, { scope: 'global', on: true, reason: 'x' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      host.finops.setQuota(bob, { resource: 'calls', limit: 1, window: 'hour', mode: 'hard' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(host.contracts.ingest(alice, 'person', [])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('keeps orgs apart: installations, usage and audit trails', async () => {
    const host = await newHost();
    await publish(host, { name: 'searcher', capabilities: { graph: ['read'] } }, SEARCHER);
    await host.plugins.install(alice, { pluginId: 'searcher' });
    await host.plugins.run(alice, 'searcher', { q: 'acme' });
    expect((await host.plugins.run(erin, 'searcher', { q: 'acme' })).error?.code).toBe('NOT_FOUND');
    expect((await host.finops.dashboard(erin)).plugins).toEqual([]);
    expect(
      (await host.audit.trail(erin, 'plugin:searcher', 100)).events.every((e) => e.orgId === 'globex'),
    ).toBe(true);
    expect((await host.audit.trail(alice, 'plugin:searcher', 100)).events.length).toBeGreaterThan(0);
  });
});

describe('createExtensionHost: run statistics', () => {
  it('counts refused runs as denials, never as 0 ms samples in latency or cost estimates', async () => {
    const host = await newHost();
    await host.contracts.register(bob, {
      subject: 'search-query',
      format: 'json',
      schema: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } },
    });
    await publish(
      host,
      { name: 'searcher', capabilities: { graph: ['read'] }, inputSchema: { subject: 'search-query' } },
      SEARCHER,
    );
    await host.plugins.install(alice, { pluginId: 'searcher' });
    expect((await host.plugins.run(alice, 'searcher', { q: 'acme' })).ok).toBe(true);
    // Refused by the input contract, then by the kill switch: neither executes.
    expect((await host.plugins.run(alice, 'searcher', { q: 7 })).error?.code).toBe('CONTRACT_VIOLATION');
    await host.finops.killSwitch(alice, {
      scope: 'plugin',
      target: 'searcher',
      on: true,
      reason: 'incident',
    });
    expect((await host.plugins.run(alice, 'searcher', { q: 'acme' })).error?.code).toBe('KILL_SWITCH');
    await host.finops.killSwitch(alice, {
      scope: 'plugin',
      target: 'searcher',
      on: false,
      reason: 'resolved',
    });

    const [row] = (await host.finops.dashboard(alice)).plugins;
    expect(row).toMatchObject({ pluginId: 'searcher', runs: 1, errors: 0, denied: 2 });
    type RunData = { outcome?: string; usage?: { wallMs?: number } | null };
    const runs = (await host.internals.audit.list({ type: 'plugin.run' })).map((e) => e.data as RunData);
    const wallMs = runs.find((d) => d.outcome === 'ok')?.usage?.wallMs;
    expect(row?.p50Ms).toBe(wallMs);
    const hint = await host.finops.hintView(alice, 'searcher');
    expect(hint.runs).toBe(1);
    expect(hint.wallMsP95).toBe(wallMs);
    expect(hint.expectedCost.amount).toBeGreaterThanOrEqual(100 + 2);
  });
});
