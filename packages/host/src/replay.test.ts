import {
  type Actor,
  type AuthorizerOptions,
  createManualClock,
  digestJson,
  sequentialIds,
} from '@intelgraph/core';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterEach, describe, expect, it } from 'vitest';
import { createExtensionHost, type ExtensionHost } from './host.js';
import type { ReplayPolicyOptions } from './replay-recorder.js';
import { createMemoryReplayStore } from './replay-store.js';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const carol: Actor = { userId: 'carol', orgId: 'acme', roles: ['auditor'] };
const dave: Actor = { userId: 'dave', orgId: 'acme', roles: ['analyst'] };
const erin: Actor = { userId: 'erin', orgId: 'globex', roles: ['auditor'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
const key = generatePublisherKeyPair();

// Scores with Math.random and the clock, and makes two host calls whose arguments depend on both.
const SCORER = `module.exports.run = async (input, api) => {
  const found = await api.graph.search({ q: input.q, limit: 10 });
  const scored = found.map((e) => ({ id: e.id, score: Math.round(Math.random() * 1000) / 1000 }));
  const again = await api.graph.search({ q: input.q, limit: 1 + Math.floor(Math.random() * 5) });
  return { scored, again: again.length, at: new Date().toISOString(), t: Date.now() };
};`;

const hosts: ExtensionHost[] = [];
async function newHost(
  replay: ReplayPolicyOptions | undefined,
  replays = createMemoryReplayStore(),
  authorization?: AuthorizerOptions,
) {
  const host = await createExtensionHost({
    ...(authorization ? { authorization } : {}),
    database: 'memory',
    clock: createManualClock(Date.UTC(2026, 3, 1)),
    ids: sequentialIds(),
    sandbox: { poolSize: 1, isolation: 'in-process' },
    stores: { replays },
    ...(replay ? { replay } : {}),
  });
  hosts.push(host);
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  await host.internals.graph.forOrg('acme').upsert({
    entities: [
      { id: 'e1', type: 'Organization', name: 'Acme Corporation', properties: {} },
      { id: 'e2', type: 'Organization', name: 'Acme Holdings', properties: {} },
    ],
  });
  const pkg = await signPluginPackage(
    {
      manifest: {
        name: 'scorer',
        version: '1.0.0',
        entry: 'index.js',
        publisher: 'acme-labs',
        capabilities: { graph: ['read'] },
        budgets: { ms: 2000, rows: 100 },
      },
      files: { 'index.js': SCORER },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
  await host.plugins.install(alice, { pluginId: 'scorer' });
  return { host, replays };
}

afterEach(async () => {
  while (hosts.length) await hosts.pop()?.close();
});

describe('host.plugins.replay', () => {
  it('replays a run that used Math.random and the clock identically, and audits it', async () => {
    const { host } = await newHost({ enabled: true });
    const r = await host.plugins.run(alice, 'scorer', { q: 'acme' });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const runId = r.provenance?.runId ?? '';
    expect(r.provenance?.determinism?.seed).toMatch(/^[0-9a-f]{32}$/);
    // The live graph changes after the run: the replay does not read it.
    await host.internals.graph.forOrg('acme').upsert({
      entities: [{ id: 'e3', type: 'Organization', name: 'Acme Three', properties: {} }],
    });
    const replay = await host.plugins.replay(carol, runId);
    expect(replay).toMatchObject({ runId, replayable: true, identical: true });
    expect(replay.outputSha256).toBe(replay.recordedOutputSha256);
    expect(replay.divergence).toBeUndefined();
    const [event] = await host.internals.audit.list({ type: 'plugin.replay' });
    expect(event?.data).toMatchObject({ runId, identical: true });
    const [run] = await host.internals.audit.list({ type: 'plugin.run' });
    expect(run?.data).toMatchObject({ runId, replayable: true });
  });

  it('names the call whose recorded response was altered', async () => {
    const { host, replays } = await newHost({ enabled: true });
    const r = await host.plugins.run(alice, 'scorer', { q: 'acme' });
    const runId = r.provenance?.runId ?? '';
    const stored = replays.raw(runId);
    const second = stored?.calls[1];
    if (!second?.response.ok) throw new Error('expected two recorded calls');
    second.response = { ok: true, value: [] };
    const replay = await host.plugins.replay(alice, runId);
    expect(replay.identical).toBe(false);
    expect(replay.divergence).toEqual({
      kind: 'call',
      index: 1,
      reason: 'recording_altered',
      path: 'graph.search',
      recordedPath: 'graph.search',
    });
  });

  it('names the first output path that differs when every call matched', async () => {
    const { host, replays } = await newHost({ enabled: true });
    const r = await host.plugins.run(alice, 'scorer', { q: 'acme' });
    const runId = r.provenance?.runId ?? '';
    const stored = replays.raw(runId);
    if (!stored) throw new Error('expected a recording');
    // A recorded answer rewritten together with its digest: the calls still match, the answer does not.
    const output = structuredClone(stored.output) as { value: { scored: { score: number }[] } };
    const first = output.value.scored[0];
    if (!first) throw new Error('expected scored entities');
    first.score = -1;
    stored.output = output;
    stored.outputSha256 = digestJson(output);
    const replay = await host.plugins.replay(alice, runId);
    expect(replay.divergence).toEqual({ kind: 'output', reason: 'differs', path: '/value/scored/0/score' });
    // The answer alone rewritten, its digest kept: the recording no longer matches itself.
    first.score = -2;
    const again = await host.plugins.replay(alice, runId);
    expect(again.divergence).toEqual({ kind: 'output', reason: 'recording_altered', path: null });
  });

  it('marks a run over the size cap not replayable, without failing it', async () => {
    const { host } = await newHost({ enabled: true, maxBytes: 64 });
    const r = await host.plugins.run(alice, 'scorer', { q: 'acme' });
    expect(r.ok).toBe(true);
    const replay = await host.plugins.replay(carol, r.provenance?.runId ?? '');
    expect(replay).toMatchObject({
      replayable: false,
      identical: false,
      outputSha256: null,
      reason: 'over_size_cap',
    });
  });

  it('records nothing the policy does not name, and lets only the run org’s runs.replay roles replay', async () => {
    const auditorsOnly = { roles: { 'runs.replay': ['auditor'] } };
    const off = await newHost({ enabled: (_org, plugin) => plugin !== 'scorer' }, undefined, auditorsOnly);
    const r = await off.host.plugins.run(alice, 'scorer', { q: 'acme' });
    await expect(off.host.plugins.replay(carol, r.provenance?.runId ?? '')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const on = await newHost({ enabled: true }, undefined, auditorsOnly);
    const s = await on.host.plugins.run(alice, 'scorer', { q: 'acme' });
    const id = s.provenance?.runId ?? '';
    await expect(on.host.plugins.replay(alice, id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(on.host.plugins.replay(dave, id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(on.host.plugins.replay(erin, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(on.host.plugins.replay(carol, '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await on.host.plugins.replay(carol, id)).identical).toBe(true);
  });

  it('a policy callback that throws records nothing and fails no run', async () => {
    const { host } = await newHost({
      enabled: () => {
        throw new Error('policy backend down');
      },
    });
    const r = await host.plugins.run(alice, 'scorer', { q: 'acme' });
    expect(r.ok).toBe(true);
    await expect(host.plugins.replay(carol, r.provenance?.runId ?? '')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses an invalid policy', async () => {
    await expect(newHost({ enabled: true, maxBytes: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
