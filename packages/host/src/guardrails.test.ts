import { defineHostApi } from '@intelgraph/capabilities';
import { type Actor, createManualClock, isIntelGraphError, sequentialIds } from '@intelgraph/core';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createExtensionHost, type ExtensionHost, type ExtensionHostOptions } from './host.js';
import type { PluginRunResult } from './plugin-run.js';
import { HOST_OWNED_KIND_NAMES } from './review-kinds.js';
import { resolveStores } from './stores.js';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const ann: Actor = { userId: 'ann', orgId: 'acme', roles: [] };
const erin: Actor = { userId: 'erin', orgId: 'globex', roles: ['admin', 'steward'] };
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
async function newHost(options: ExtensionHostOptions = {}): Promise<ExtensionHost> {
  const host = await createExtensionHost({
    database: 'memory',
    clock: createManualClock(Date.UTC(2026, 3, 1)),
    ids: sequentialIds(),
    sandbox: { poolSize: 2 },
    ...options,
  });
  hosts.push(host);
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  return host;
}

afterEach(async () => {
  while (hosts.length) await hosts.pop()?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isIntelGraphError(e)) return e.code;
    throw e;
  }
  return 'resolved';
}

const PERSON = {
  subject: 'person',
  format: 'json' as const,
  schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
};

describe('breach 1: the host review kinds are opened only by their own operations', () => {
  it('refuses the reported export bypass (self-declared count, payload actor, big attachment) and writes nothing', async () => {
    const delivered: unknown[][] = [];
    const host = await newHost({ exportSink: ({ records }) => void delivered.push(records) });
    await host.contracts.register(bob, PERSON);
    const before = (await host.internals.audit.head())?.seq ?? 0;
    const batch = Array.from({ length: 5000 }, (_, i) => ({ id: `p${i}` }));
    const attack = {
      kind: 'export',
      payload: {
        subject: 'person',
        records: 1,
        destination: null,
        actor: { userId: 'ceo', orgId: 'acme', roles: [] },
      },
      reason: 'routine',
      evidence: [
        { name: 'export-batch.json', mediaType: 'application/json', content: JSON.stringify(batch) },
      ],
    };
    expect(await codeOf(host.governance.request(ann, attack))).toBe('FORBIDDEN');
    expect(await codeOf(host.governance.request(ann, attack))).toBe('FORBIDDEN');
    expect(delivered).toEqual([]);
    expect((await host.internals.audit.head())?.seq ?? 0).toBe(before);
    expect(
      (await host.governance.queue(alice, { scope: 'org', states: ['pending', 'applied'] })).items,
    ).toEqual([]);
  });

  it('refuses every host-owned kind, whatever the payload, through request and governance.request', async () => {
    const host = await newHost();
    expect(HOST_OWNED_KIND_NAMES).toEqual(
      expect.arrayContaining(['export', 'plugin_install', 'entity_merge', 'contract_enforcement']),
    );
    for (const kind of HOST_OWNED_KIND_NAMES) {
      for (const payload of [
        {},
        { action: 'install', pluginId: 'x', version: '1.0.0', scopes: [], optional: [], adding: [] },
      ]) {
        expect(await codeOf(host.governance.request(alice, { kind, payload, reason: 'r' }))).toBe(
          'FORBIDDEN',
        );
        expect(await codeOf(host.governance.request(alice, { kind, payload, reason: 'r' }))).toBe(
          'FORBIDDEN',
        );
      }
    }
    // The public kind stays open: a policy change is a governed request anyone may make.
    const change = await host.governance.request(ann, {
      kind: 'policy_change',
      payload: { kind: 'export', params: { maxRecords: 5 } },
      reason: 'tighten',
    });
    expect(change.state).toBe('pending');
  });

  it('keeps the host appliers: an integrator cannot replace one', async () => {
    await expect(
      createExtensionHost({ database: 'memory', appliers: { export: async () => null } }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('names the authenticated requester in the export audit, and recounts and re-checks the batch at apply', async () => {
    const delivered: unknown[][] = [];
    const host = await newHost({
      exportSink: ({ records }) => void delivered.push(records),
      policies: [
        {
          kind: 'export',
          approvals: [{ count: 1, role: 'steward' }],
          params: { maxRecords: 2 },
          autoApprove: { when: { path: 'records', op: 'lte', param: 'maxRecords' } },
        },
      ],
    });
    await host.contracts.register(bob, PERSON);
    const small = await host.contracts.export(ann, 'person', [{ id: 'a' }]);
    expect(small.status).toBe('accepted');
    const [event] = await host.internals.audit.list({ type: 'export.delivered' });
    expect(event?.actor).toEqual({ userId: 'ann', orgId: 'acme' });
    expect(small.reviewTask?.payload).not.toHaveProperty('actor');

    // Exported under `warn` (an invalid record passes with a warning), enforcement back on before the
    // steward approves: the apply checks the attached records again and delivers nothing.
    await host.governance.approve(
      bob,
      (
        await host.contracts.setEnforcement(alice, {
          subject: 'person',
          edge: 'export',
          mode: 'warn',
          reason: 'migration',
        })
      ).reviewTask.id,
    );
    const big = await host.contracts.export(ann, 'person', [{ id: 'a' }, { id: 'b' }, { name: 'no id' }]);
    expect(big.status).toBe('pending_review');
    expect(big.reviewTask?.payload).toMatchObject({ records: 3 });
    await host.contracts.setEnforcement(alice, {
      subject: 'person',
      edge: 'export',
      mode: 'enforce',
      reason: 'done',
    });
    const approved = await host.governance.approve(bob, big.reviewTask!.id);
    expect(approved.state).toBe('approved');
    expect(approved.apply).toMatchObject({ status: 'failed', error: { code: 'CONTRACT_VIOLATION' } });
    expect(delivered).toHaveLength(1);
  });
});

describe('enforcement modes survive a restart', () => {
  it('replays only the host’s own enforcement events, parsed', async () => {
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const ids = sequentialIds();
    const shared = await resolveStores({ database: 'memory', clock, ids });
    const first = await newHost({ stores: shared, clock, ids });
    await first.contracts.register(bob, PERSON);
    const relax = await first.contracts.setEnforcement(alice, {
      subject: 'person',
      edge: 'ingest',
      mode: 'warn',
      reason: 'r',
    });
    await first.governance.approve(bob, relax.reviewTask.id);
    // A malformed event of the same type is ignored, not applied.
    await first.internals.audit.record({
      type: 'contract.enforcement.set',
      actor: null,
      subject: 'contract:person',
      orgId: null,
      data: { subject: 'person', edge: 'export', mode: 'disabled' },
    });
    const second = await newHost({ stores: shared, clock, ids });
    expect(second.internals.gates.mode('person', 'ingest')).toBe('warn');
    expect(second.internals.gates.mode('person', 'export')).toBe('enforce');
  });
});

describe('breach 1: identities compare normalised', () => {
  it('refuses BOB approving bob’s request, through the host', async () => {
    const host = await newHost();
    await host.internals.graph.forOrg('acme').upsert({
      entities: [
        { id: 'e1', type: 'Organization', name: 'Acme', properties: {} },
        { id: 'e2', type: 'Organization', name: 'ACME Inc', properties: {} },
      ],
    });
    const merge = await host.governance.mergeEntities(bob, {
      survivorId: 'e1',
      mergedId: 'e2',
      reason: 'same company',
    });
    for (const userId of ['BOB', 'Bob'])
      expect(
        await codeOf(
          host.governance.approve({ userId, orgId: 'acme', roles: ['steward'] }, merge.reviewTask.id),
        ),
      ).toBe('FORBIDDEN');
    expect(await host.internals.graph.forOrg('acme').getEntity('e2')).not.toBeNull();
  });
});

const ENRICHER = {
  name: 'my-enricher',
  capabilities: { graph: ['read'] },
  optionalCapabilities: { cases: ['write'] },
};

describe('opting into a high-risk optional scope after install', () => {
  it('opens a review carrying only the optional set, and the steward’s approval grants it', async () => {
    const host = await newHost();
    await publish(host, ENRICHER, 'module.exports.run = async () => 1;');
    expect((await host.plugins.install(alice, { pluginId: 'my-enricher' })).status).toBe('installed');
    const pending = await host.plugins.setOptionalScopes(alice, 'my-enricher', ['cases:write']);
    expect(pending.status).toBe('pending_review');
    if (pending.status !== 'pending_review') return;
    expect(pending.reviewTask.payload).toMatchObject({ action: 'optional', optional: ['cases:write'] });
    expect((await host.plugins.status(alice, 'my-enricher')).pendingRequests).toHaveLength(1);
    const approved = await host.governance.approve(bob, pending.reviewTask.id, { note: 'ok' });
    expect(approved.apply, JSON.stringify(approved.apply)).toMatchObject({ status: 'succeeded' });
    expect(approved.state).toBe('applied');
    const status = await host.plugins.status(alice, 'my-enricher');
    expect(status.status).toBe('installed');
    expect(status.installation?.grants).toEqual(['cases:write', 'graph:read']);
    expect(status.installation?.optionalScopes).toEqual(['cases:write']);
    expect(status.pendingRequests).toEqual([]);
  });
});

describe('a plugin_install policy that approves by itself', () => {
  it('installs at once, through the applier, and answers installed', async () => {
    const host = await newHost({
      policies: [
        {
          kind: 'plugin_install',
          approvals: [{ count: 1, role: 'steward' }],
          autoApprove: {
            when: { path: 'pluginId', op: 'eq', value: 'writer' },
            note: 'vetted in-house plugin',
          },
        },
      ],
    });
    await publish(
      host,
      { name: 'writer', capabilities: { graph: ['write'] } },
      'module.exports.run = async () => 1;',
    );
    const r = await host.plugins.install(alice, { pluginId: 'writer' });
    expect(r.status).toBe('installed');
    if (r.status === 'installed') expect(r.installation.grants).toEqual(['graph:write']);
    expect((await host.plugins.status(alice, 'writer')).status).toBe('installed');
  });
});

describe('one open request per org, plugin and version', () => {
  it('refuses a duplicate high-risk install (sequential and concurrent) and reports pending review', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'writer', capabilities: { graph: ['write'] } },
      'module.exports.run = async () => 1;',
    );
    const first = await host.plugins.install(alice, { pluginId: 'writer' });
    expect(first.status).toBe('pending_review');
    const again = host.plugins.install({ ...alice, userId: 'al' }, { pluginId: 'writer' });
    await expect(again).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'duplicate_request' } });
    const status = await host.plugins.status(alice, 'writer');
    expect(status).toMatchObject({ status: 'pending_review', installation: null });
    expect(status.pendingRequests).toMatchObject([
      { action: 'install', version: '1.0.0', requestedBy: 'alice' },
    ]);
    // Another org has its own request, and cannot see this one.
    expect((await host.plugins.status(erin, 'writer')).status).toBe('not_installed');
    expect((await host.plugins.install(erin, { pluginId: 'writer' })).status).toBe('pending_review');
    const tasks = await host.governance.queue(alice, { scope: 'org', kinds: ['plugin_install'] });
    expect(tasks.items).toHaveLength(1);

    const host2 = await newHost();
    await publish(
      host2,
      { name: 'writer', capabilities: { graph: ['write'] } },
      'module.exports.run = async () => 1;',
    );
    const both = await Promise.allSettled([
      host2.plugins.install(alice, { pluginId: 'writer' }),
      host2.plugins.install(alice, { pluginId: 'writer' }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      both.filter((r) => r.status === 'rejected' && isIntelGraphError(r.reason, 'CONFLICT')),
    ).toHaveLength(1);
  });

  it('refuses a duplicate optional-scope request', async () => {
    const host = await newHost();
    await publish(host, ENRICHER, 'module.exports.run = async () => 1;');
    await host.plugins.install(alice, { pluginId: 'my-enricher' });
    expect((await host.plugins.setOptionalScopes(alice, 'my-enricher', ['cases:write'])).status).toBe(
      'pending_review',
    );
    await expect(host.plugins.setOptionalScopes(alice, 'my-enricher', ['cases:write'])).rejects.toMatchObject(
      {
        code: 'CONFLICT',
        details: { reason: 'duplicate_request' },
      },
    );
  });

  it('takes no approval reference from callers', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'writer', capabilities: { graph: ['write'] } },
      'module.exports.run = async () => 1;',
    );
    const pending = await host.plugins.install(alice, { pluginId: 'writer' });
    if (pending.status !== 'pending_review') throw new Error('expected a review');
    const forged = { pluginId: 'writer', approvalRef: pending.reviewTask.id } as { pluginId: string };
    expect(await codeOf(host.plugins.install(alice, forged))).toBe('INVALID_INPUT');
    expect((await host.internals.marketplace.installations('acme')).map((i) => i.pluginId)).toEqual([]);
  });
});

describe('admin operations refuse low-privilege and other-org callers', () => {
  it('answers FORBIDDEN and writes nothing', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'reader', capabilities: { graph: ['read'] } },
      'module.exports.run = async () => 1;',
    );
    const before = (await host.internals.audit.head())?.seq ?? 0;
    expect(await codeOf(host.finops.killSwitch(ann, { scope: 'org', on: true, reason: 'prank' }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(
        host.finops.killSwitch(ann, { scope: 'plugin', target: 'reader', on: true, reason: 'prank' }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(host.finops.killSwitch(alice, { scope: 'global', on: true, reason: 'prank' }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(
        host.finops.setQuota(ann, { resource: 'calls', limit: 1, window: 'hour', mode: 'hard' } as never),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(host.internals.marketplace.rate(ann, 'reader', { stars: 1 }))).toBe('FORBIDDEN');
    expect(await codeOf(host.plugins.install(ann, { pluginId: 'reader' }))).toBe('FORBIDDEN');
    expect(await codeOf(host.plugins.uninstall(ann, 'reader'))).toBe('FORBIDDEN');
    expect((await host.internals.audit.head())?.seq ?? 0).toBe(before);
    expect(await host.internals.finops.killSwitch.list()).toEqual([]);
    // Hostile review: an input that answers 'org' to the role check and 'global' to validation (a getter,
    // a Proxy) switches at most the admin's own org, never every org.
    const probed = await newHost();
    let reads = 0;
    const shifty = {
      get scope() {
        reads += 1;
        return reads === 1 ? 'org' : 'global';
      },
      on: true,
      reason: 'switch every org off',
    };
    await codeOf(probed.finops.killSwitch(alice, shifty as never));
    let proxied = 0;
    const proxy = new Proxy(
      { scope: 'org', on: true, reason: 'switch every org off' },
      { get: (t, k) => (k === 'scope' && proxied++ > 0 ? 'global' : Reflect.get(t, k)) },
    );
    await codeOf(probed.finops.killSwitch(alice, proxy as never));
    const switches = await probed.internals.finops.killSwitch.list();
    expect(switches.map((k) => k.target)).toEqual([{ org: 'acme' }]);
    // A platform role counts only in a platform org when the host names them.
    const tenant = await newHost({ authorization: { platformOrgs: ['intelgraph'] } });
    const selfMade: Actor = { userId: 'eve', orgId: 'globex', roles: ['admin', 'platform-admin'] };
    expect(
      await codeOf(tenant.finops.killSwitch(selfMade, { scope: 'global', on: true, reason: 'takeover' })),
    ).toBe('FORBIDDEN');
    const operator: Actor = { userId: 'ops', orgId: 'intelgraph', roles: ['admin', 'platform-admin'] };
    await tenant.finops.killSwitch(operator, { scope: 'global', on: true, reason: 'incident' });
    expect(await tenant.internals.finops.killSwitch.list()).toHaveLength(1);
    // The shared contracts too: a tenant's admin or steward cannot register, deprecate or re-gate them.
    const tenantSteward: Actor = { userId: 'eve', orgId: 'globex', roles: ['admin', 'steward'] };
    const schema = { type: 'object', properties: { id: { type: 'string' } } };
    expect(
      await codeOf(tenant.contracts.register(tenantSteward, { subject: 'person', format: 'json', schema })),
    ).toBe('FORBIDDEN');
    expect(await tenant.internals.schemas.listSubjects()).toEqual([]);
    await tenant.contracts.register(operator, { subject: 'person', format: 'json', schema });
    await tenant.contracts.register(operator, {
      subject: 'person',
      format: 'json',
      schema: { ...schema, title: 'v2' },
    });
    expect(
      await codeOf(
        tenant.contracts.deprecateVersion(tenantSteward, {
          subject: 'person',
          version: 1,
          until: null,
          reason: 'x',
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(
        tenant.contracts.registerMigrationRule(tenantSteward, {
          subject: 'person',
          from: 1,
          to: 2,
          operations: [],
          samples: [],
          reason: 'x',
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(
        tenant.contracts.setEnforcement(tenantSteward, {
          subject: 'person',
          edge: 'ingest',
          mode: 'off',
          reason: 'x',
        }),
      ),
    ).toBe('FORBIDDEN');
    // Another org's admin cannot decide or read this org's reviews, nor learn that they exist.
    await host.internals.graph.forOrg('acme').upsert({
      entities: [
        { id: 'e1', type: 'T', name: 'a', properties: {} },
        { id: 'e2', type: 'T', name: 'b', properties: {} },
      ],
    });
    const merge = await host.governance.mergeEntities(alice, {
      survivorId: 'e1',
      mergedId: 'e2',
      reason: 'dupes',
    });
    expect(await codeOf(host.governance.approve(erin, merge.reviewTask.id))).toBe('NOT_FOUND');
    expect(await codeOf(host.governance.get(erin, merge.reviewTask.id))).toBe('NOT_FOUND');
  });
});

// A plugin that keeps calling the host until a call fails, then says how many succeeded.
const LOOPER = `module.exports.run = async (input, api) => {
  let n = 0;
  for (;;) {
    try { await api.probe.tick({}); n++; } catch (e) { return { n, code: e.code }; }
  }
};`;

function probeApi() {
  const state = { calls: 0, onCall: (_n: number) => {} };
  const hostApi = defineHostApi({
    probe: {
      tick: {
        scope: 'graph:read',
        handler: async () => {
          state.calls += 1;
          state.onCall(state.calls);
          await new Promise((r) => setTimeout(r, 1));
          return state.calls;
        },
      },
    },
    cases: { note: { scope: 'cases:write', handler: async () => null } },
  });
  const reached = (n: number) =>
    new Promise<void>((resolve) => {
      state.onCall = (c) => {
        if (c >= n) resolve();
      };
    });
  return { hostApi, state, reached };
}

const LOOPER_MANIFEST = {
  name: 'looper',
  capabilities: { graph: ['read'] },
  budgets: { ms: 20_000, cpuMs: 20_000 },
};

describe('grants and kill switches hold during a run', () => {
  it('a kill switch ends the run in flight: no host call succeeds after it returns, no value', async () => {
    const probe = probeApi();
    const host = await newHost({ hostApi: probe.hostApi });
    await publish(host, LOOPER_MANIFEST, LOOPER);
    await host.plugins.install(alice, { pluginId: 'looper' });
    const running = host.plugins.run(alice, 'looper', {});
    await probe.reached(5);
    await host.finops.killSwitch(alice, {
      scope: 'plugin',
      target: 'looper',
      on: true,
      reason: 'runaway plugin',
    });
    const after = probe.state.calls;
    const r = await running;
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('KILL_SWITCH');
    expect(probe.state.calls).toBe(after);
    // The signal may stop the isolate before it tries another call; any call it did try was refused.
    const refused = (r.provenance?.hostCalls ?? []).filter((c) => !c.ok);
    expect(refused.every((c) => c.error === 'KILL_SWITCH')).toBe(true);
  });

  it('a kill switch stops a run that never calls the host (the sandbox itself is stopped)', async () => {
    const host = await newHost();
    await publish(
      host,
      { name: 'spinner', capabilities: {}, budgets: { ms: 20_000, cpuMs: 20_000 } },
      'module.exports.run = async () => { globalThis.started = true; for (;;) {} };\n',
    );
    await host.plugins.install(alice, { pluginId: 'spinner' });
    const running = host.plugins.run(alice, 'spinner', {});
    // Engage once the run is in the sandbox (its guard is registered), long before its 20 s budget.
    await new Promise((r) => setTimeout(r, 300));
    await host.finops.killSwitch(alice, {
      scope: 'plugin',
      target: 'spinner',
      on: true,
      reason: 'runaway plugin',
    });
    const r = await running;
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('KILL_SWITCH');
    // Stopped, not timed out: the run's wall time is far below its budget.
    expect(r.usage?.wallMs).toBeLessThan(20_000);
  });

  it('an uninstall ends the run in flight', async () => {
    const probe = probeApi();
    const host = await newHost({ hostApi: probe.hostApi });
    await publish(host, LOOPER_MANIFEST, LOOPER);
    await host.plugins.install(alice, { pluginId: 'looper' });
    const running = host.plugins.run(alice, 'looper', {});
    await probe.reached(5);
    await host.plugins.uninstall(alice, 'looper');
    const after = probe.state.calls;
    const r = await running;
    expect(r.error?.code).toBe('CAPABILITY_DENIED');
    expect(probe.state.calls).toBe(after);
  });

  it('a change made by another host sharing the stores reaches the run within runRecheckMs', async () => {
    const probe = probeApi();
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const ids = sequentialIds();
    const shared = await resolveStores({ database: 'memory', clock, ids });
    const a = await newHost({ stores: shared, clock, ids, hostApi: probe.hostApi, runRecheckMs: 500 });
    const b = await newHost({ stores: shared, clock, ids });
    await publish(a, LOOPER_MANIFEST, LOOPER);
    await a.plugins.install(alice, { pluginId: 'looper' });
    const running = a.plugins.run(alice, 'looper', {});
    await probe.reached(5);
    await b.finops.killSwitch(alice, { scope: 'org', on: true, reason: 'incident on host b' });
    // Host a has not re-checked yet (its view is younger than 500 ms): calls still go through …
    await probe.reached(probe.state.calls + 3);
    // … until its view is older than the bound; then the next call re-checks and stops the run.
    clock.advance(501);
    const r = await running;
    expect(r.error?.code).toBe('KILL_SWITCH');
  });
});

describe('hostile review: the audit trail view', () => {
  it('concurrent reads after a head change verify the chain once, not once per read (aliased auditTrail)', async () => {
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const ids = sequentialIds();
    const shared = await resolveStores({ database: 'memory', clock, ids });
    let fullReads = 0;
    const list = shared.audit.list.bind(shared.audit);
    // Verification reads the whole chain page by page (no subject filter); a view read filters by subject.
    shared.audit.list = (query) => {
      if (query?.subject === undefined && (query?.afterSeq ?? 0) === 0) fullReads += 1;
      return list(query);
    };
    const host = await newHost({ stores: shared, clock, ids });
    await host.contracts.register(bob, PERSON);
    fullReads = 0;
    const reads = await Promise.all(
      Array.from({ length: 30 }, () => host.audit.trail(ann, 'contract:person', 10)),
    );
    expect(reads.every((r) => r.verified)).toBe(true);
    expect(fullReads).toBe(1);
    // A new head is verified again (once).
    await host.internals.audit.record({ type: 'probe', actor: null, subject: 'probe', orgId: 'acme' });
    fullReads = 0;
    await Promise.all([host.audit.trail(ann, 'probe', 10), host.audit.trail(ann, 'probe', 10)]);
    expect(fullReads).toBe(1);
  });
});

describe('PluginRunResult narrows on ok', () => {
  it('types value and error by the branch', () => {
    expectTypeOf<Extract<PluginRunResult<number[]>, { ok: true }>['value']>().toEqualTypeOf<number[]>();
    expectTypeOf<Extract<PluginRunResult, { ok: false }>['error']['code']>().toBeString();
  });
});
