// One conformance suite for the AuditStore port: core's in-memory store, PGlite and the real PostgreSQL
// run the same test bodies, including 100 concurrent appends from several store instances ("hosts")
// over a pool of connections, which must still form one verifiable chain.

import { generateKeyPairSync } from 'node:crypto';
import { createPgAuditStore } from '@intelgraph/adapters/postgres';
import {
  type AuditEventInput,
  type AuditLogStore,
  type AuditStore,
  createAuditCheckpointer,
  createAuditTrail,
  createManualClock,
  createMemoryAuditStore,
  GENESIS_HASH,
  isIntelGraphError,
  leafHash,
  rootHash,
  sequentialIds,
  serializeAuditEvent,
  verifyAuditChain,
  verifyCheckpointSignature,
  verifyConsistency,
  verifyInclusion,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';

// A suite's "store" here is a factory: each call is a store instance over the backend's shared data, as
// another host would hold.
const backends = storeBackends<() => AuditLogStore>({
  memory: () => {
    const shared = createMemoryAuditStore();
    return () => shared;
  },
  sql: (db) => () => createPgAuditStore(db),
  poolSize: 8,
});

const T0 = Date.UTC(2026, 3, 1);

function input(n: number, over: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    id: `audit_${String(n).padStart(6, '0')}`,
    at: new Date(T0 + n * 1_000).toISOString(),
    type: 'plugin.run',
    actor: { userId: 'alice', orgId: 'acme' },
    subject: 'plugin:sample-enricher',
    orgId: 'acme',
    data: { n },
    ...over,
  };
}

describe.each(backends)('audit store on $name', (backend) => {
  // The first open of a backend pays for its start-up (PGlite compiles WASM); keep that out of the tests.
  const open = openEachTest(backend, { warmUp: [] });
  async function setup() {
    return { store: await open() };
  }

  it('links each event to the one before it, from the genesis hash', async () => {
    const o = await setup();
    const store = o.store();
    expect(await store.head()).toBeNull();
    expect(await store.list()).toEqual([]);
    const e0 = await store.append(input(0));
    const e1 = await store.append(
      input(1, { actor: null, orgId: null, subject: 'system', type: 'host.started' }),
    );
    expect(e0).toMatchObject({ seq: 0, id: 'audit_000000', prevHash: GENESIS_HASH, data: { n: 0 } });
    expect(e1).toMatchObject({ seq: 1, prevHash: e0.hash, actor: null, orgId: null });
    expect(e0.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.list()).toEqual([e0, e1]);
    expect(await store.head()).toEqual(e1);
    expect(verifyAuditChain([e0, e1])).toEqual({ ok: true, count: 2, headHash: e1.hash });
  });

  it('stores data exactly as hashed: unicode, nesting, numbers and odd keys survive a round trip', async () => {
    const o = await setup();
    const store = o.store();
    const data = {
      text: 'ünïcode \u0000 nul, "quotes", \\ backslash, emoji 🛰️, RTL \u202e',
      nested: { deep: [1, 2.5, -0.125, 1e21, null, true, { k: 'v' }] },
      constructor: 'a key that looks dangerous is still just data here',
      empty: {},
    };
    const appended = await store.append(input(0, { data }));
    const [listed] = await store.list();
    expect(listed).toEqual(appended);
    expect(listed?.data).toEqual(JSON.parse(JSON.stringify(data)));
    const serialized = (await store.list()).map(serializeAuditEvent);
    expect(verifyAuditChain(serialized).ok).toBe(true);
  });

  it('lists in chain order with cursor, limit and filters', async () => {
    const o = await setup();
    const store = o.store();
    for (let n = 0; n < 10; n++) {
      await store.append(
        input(n, {
          type: n % 2 === 0 ? 'plugin.run' : 'grant.revoked',
          subject: n < 5 ? 'plugin:a' : 'plugin:b',
          orgId: n % 3 === 0 ? 'globex' : 'acme',
        }),
      );
    }
    const seqs = async (q: Parameters<AuditStore['list']>[0]) => (await store.list(q)).map((e) => e.seq);
    expect(await seqs({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await seqs({ afterSeq: 6 })).toEqual([7, 8, 9]);
    expect(await seqs({ limit: 3 })).toEqual([0, 1, 2]);
    expect(await seqs({ afterSeq: 2, limit: 2 })).toEqual([3, 4]);
    expect(await seqs({ limit: 0 })).toEqual([]);
    expect(await seqs({ type: 'grant.revoked' })).toEqual([1, 3, 5, 7, 9]);
    expect(await seqs({ subject: 'plugin:b', type: 'plugin.run' })).toEqual([6, 8]);
    expect(await seqs({ orgId: 'globex' })).toEqual([0, 3, 6, 9]);
    expect(await seqs({ orgId: 'globex', afterSeq: 3, limit: 1 })).toEqual([6]);
  });

  it('keeps one linear chain under 100 concurrent appends from 4 hosts over a pool', async () => {
    const o = await setup();
    const hosts = [o.store(), o.store(), o.store(), o.store()];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, n) => (hosts[n % hosts.length] as AuditStore).append(input(n))),
    );
    expect(results.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const chain = await hosts[0]?.list({ limit: 1_000 });
    expect(chain).toHaveLength(100);
    expect(verifyAuditChain(chain ?? [])).toMatchObject({ ok: true, count: 100 });
    expect(new Set(chain?.map((e) => e.id))).toEqual(new Set(results.map((e) => e.id)));
    for (const e of results) expect(chain?.[e.seq]).toEqual(e);
    expect(await hosts[1]?.head()).toEqual(chain?.[99]);
  });

  it('verifies through the audit trail across list pages', async () => {
    const o = await setup();
    const trail = createAuditTrail({ store: o.store(), clock: createManualClock(T0), ids: sequentialIds() });
    await Promise.all(
      Array.from({ length: 1_050 }, (_, n) =>
        trail.record({
          type: 'quota.consumed',
          actor: null,
          subject: `org:${n % 7}`,
          orgId: null,
          data: { n },
        }),
      ),
    );
    expect(await trail.verify()).toMatchObject({ ok: true, count: 1_050 });
    const tail = await trail.list({ afterSeq: 1_000 });
    expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: 49 }, (_, i) => 1_001 + i));
  });

  // The Merkle tree and signed checkpoints (the verifiable log beside the chain).
  const keys = generateKeyPairSync('ed25519');

  it('computes the tree over an existing chain, signs checkpoints, and every proof verifies', async () => {
    const o = await setup();
    const store = o.store();
    // A chain written before checkpoints existed: the first checkpoint covers all of it.
    for (let n = 0; n < 21; n++) await store.append(input(n));
    expect(await store.treeSize()).toBe(0);
    const cp = createAuditCheckpointer({ store, privateKey: keys.privateKey, clock: createManualClock(T0) });
    const first = await cp.checkpoint();
    expect(first.treeSize).toBe(21);
    expect(verifyCheckpointSignature(first, keys.publicKey)).toBe(true);
    for (let n = 21; n < 37; n++) await store.append(input(n));
    // Two "hosts" grow the tree at once: compare-and-swap keeps one tree.
    const other = createAuditCheckpointer({ store: o.store(), privateKey: keys.privateKey });
    const [a, b] = await Promise.all([cp.syncTree(), other.syncTree()]);
    expect([a, b]).toEqual([37, 37]);
    const second = await cp.checkpoint();
    const events = await store.list();
    const leaves = events.map((e) => leafHash(serializeAuditEvent(e)));
    expect(first.rootHash).toBe(rootHash(leaves.slice(0, 21)));
    expect(second).toMatchObject({ treeSize: 37, rootHash: rootHash(leaves) });
    expect((await store.listCheckpoints()).map((c) => c.treeSize)).toEqual([21, 37]);
    expect((await store.listCheckpoints({ afterSize: 21 })).map((c) => c.treeSize)).toEqual([37]);
    expect(await store.latestCheckpoint()).toEqual(second);
    await store.putCheckpoint(second); // idempotent
    expect(await store.listCheckpoints()).toHaveLength(2);
    for (const e of events) {
      const p = await cp.proveInclusion(e.seq);
      expect(verifyInclusion(leaves[e.seq] as string, e.seq, 37, p.proof, second.rootHash)).toBe(true);
    }
    const c = await cp.proveConsistency(21, 37);
    expect(verifyConsistency(21, 37, c, first.rootHash, second.rootHash)).toBe(true);
  });

  it('refuses a stale tree extension, a missing node and a tree past the head', async () => {
    const o = await setup();
    const store = o.store();
    for (let n = 0; n < 3; n++) await store.append(input(n));
    const cp = createAuditCheckpointer({ store, privateKey: keys.privateKey });
    await cp.syncTree();
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (err: unknown) => (isIntelGraphError(err) ? err.code : String(err)),
      );
    expect(await code(store.extendTree(0, 1, []))).toBe('CONFLICT');
    expect(await code(store.extendTree(3, 9, []))).toBe('INVALID_INPUT');
    expect(await code(store.readTreeNodes([{ level: 0, index: 3 }]))).toBe('NOT_FOUND');
    expect(await code(cp.proveInclusion(5, 3))).toBe('INVALID_INPUT');
    expect(await code(cp.proveInclusion(0, 4))).toBe('NOT_FOUND');
  });
});
