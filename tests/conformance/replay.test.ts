import { createPgReplayStore } from '@intelgraph/adapters/postgres';
import {
  digestJson,
  type ReplayCall,
  type ReplayRecording,
  type ReplayStore,
  sha256Hex,
} from '@intelgraph/core';
import { createMemoryReplayStore } from '@intelgraph/host';
import { describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';

// One test body, every ReplayStore: in memory, PGlite and PostgreSQL (which must be running).
const backends = storeBackends<ReplayStore>({
  memory: () => createMemoryReplayStore(),
  sql: (db) => createPgReplayStore(db),
});

function call(path: string, args: unknown, response: ReplayCall['response']): ReplayCall {
  return {
    path,
    args,
    requestSha256: digestJson({ path, args }),
    response,
    responseSha256: digestJson(response),
    record: { scope: 'graph:read', method: path, rows: 1, ms: 2, ok: response.ok },
  };
}

const CODE = 'module.exports.run = async () => 1;';
function recording(runId: string, expiresAt = '2026-02-01T00:00:00.000Z'): ReplayRecording {
  const input = { q: 'acme', n: 0.1, nested: { b: [1, 'x'], a: null } };
  return {
    runId,
    orgId: 'acme',
    pluginId: 'sample-enricher',
    version: '0.1.0',
    codeSha256: sha256Hex(CODE),
    code: CODE,
    manifest: { name: 'sample-enricher', version: '0.1.0' },
    methods: ['graph.search'],
    grantedScopes: ['graph:read'],
    input,
    inputSha256: digestJson(input),
    seed: '0123456789abcdef0123456789abcdef',
    clockOrigin: Date.UTC(2026, 0, 1),
    calls: [
      call('graph.search', { q: 'acme', limit: 5 }, { ok: true, value: [{ id: 'e1', score: 1e-7 }] }),
      call('graph.search', { q: 'acme', limit: 5 }, { ok: true, value: [{ id: 'e1', score: 1e-7 }] }),
      call('cases.get', { id: 'c1' }, { ok: false, code: 'NOT_FOUND', message: 'no case c1' }),
    ],
    outputSha256: digestJson({ ok: true, value: 1 }),
    output: { ok: true, value: 1 },
    replayable: true,
    reason: null,
    bytes: 321,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt,
  };
}

describe.each(backends)('ReplayStore conformance: $name', (backend) => {
  const open = openEachTest(backend);

  it('returns what was saved, calls in order, bodies matching their addresses', async () => {
    const store = await open();
    const r = recording('run_1');
    await store.save(r);
    const got = await store.get('run_1');
    expect(got).toEqual(r);
    for (const c of got?.calls ?? []) {
      expect(digestJson({ path: c.path, args: c.args })).toBe(c.requestSha256);
      expect(digestJson(c.response)).toBe(c.responseSha256);
    }
    expect(await store.get('run_unknown')).toBeNull();
  });

  it('keeps the first recording of a run id', async () => {
    const store = await open();
    await store.save(recording('run_1'));
    await store.save({ ...recording('run_1'), outputSha256: 'f'.repeat(64) });
    expect((await store.get('run_1'))?.outputSha256).toBe(recording('run_1').outputSha256);
  });

  it('keeps a not-replayable recording without bodies', async () => {
    const store = await open();
    const r = {
      ...recording('run_2'),
      replayable: false,
      reason: 'over_size_cap',
      calls: [],
      output: null,
      code: '',
      input: null,
    };
    await store.save(r);
    expect(await store.get('run_2')).toEqual(r);
  });

  it('purges expired recordings only', async () => {
    const store = await open();
    await store.save(recording('run_old', '2026-01-15T00:00:00.000Z'));
    await store.save(recording('run_new', '2026-03-01T00:00:00.000Z'));
    expect(await store.purgeExpired('2026-02-01T00:00:00.000Z')).toBe(1);
    expect(await store.get('run_old')).toBeNull();
    expect(await store.get('run_new')).toEqual(recording('run_new', '2026-03-01T00:00:00.000Z'));
  });
});
