import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serializeAuditEvent } from './audit.js';
import { checkpointExportLine, parseAuditExport, verifyAuditExport } from './audit-export.js';
import { createAuditTrail, createMemoryAuditStore } from './audit-trail.js';
import {
  type AuditWitness,
  type SignedAuditCheckpoint,
  signCheckpoint,
  verifyCheckpointSignature,
} from './checkpoint.js';
import { createAuditCheckpointer } from './checkpointer.js';
import { createManualClock } from './clock.js';
import { sequentialIds } from './ids.js';
import { leafHash, rootHash, verifyConsistency, verifyInclusion } from './merkle.js';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const pem = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();

async function filledTrail(n: number, witness?: AuditWitness) {
  const store = createMemoryAuditStore();
  const clock = createManualClock(Date.UTC(2026, 11, 6));
  const trail = createAuditTrail({
    store,
    clock,
    ids: sequentialIds(),
    checkpoints: {
      privateKey: keys.privateKey,
      everyEvents: 4,
      everyMs: 3_600_000,
      ...(witness ? { witnesses: [witness] } : {}),
    },
  });
  for (let i = 0; i < n; i++) {
    await trail.record({
      type: 'plugin.run',
      actor: { userId: 'u', orgId: 'o' },
      subject: `s${i}`,
      orgId: 'o',
      data: { i },
    });
    await trail.settled?.();
  }
  return { store, trail };
}

async function exportOf(store: ReturnType<typeof createMemoryAuditStore>) {
  const events = (await store.list({ limit: 10_000 })).map(serializeAuditEvent);
  const checkpoints = await store.listCheckpoints();
  return { events, checkpoints };
}

describe('signed checkpoints', () => {
  it('signs over the canonical checkpoint and rejects any change or another key', () => {
    const cp = signCheckpoint(
      { treeSize: 3, rootHash: 'a'.repeat(64), time: '2026-12-06T00:00:00.000Z' },
      keys.privateKey,
    );
    expect(verifyCheckpointSignature(cp, pem)).toBe(true);
    expect(verifyCheckpointSignature(cp, keys.publicKey)).toBe(true);
    expect(verifyCheckpointSignature({ ...cp, treeSize: 4 }, pem)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, rootHash: 'b'.repeat(64) }, pem)).toBe(false);
    expect(verifyCheckpointSignature(cp, other.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, signature: 'garbage' }, pem)).toBe(false);
  });

  it('the trail checkpoints every N events, publishes to witnesses, and proofs verify', async () => {
    const seen: SignedAuditCheckpoint[] = [];
    const { store, trail } = await filledTrail(10, { name: 'test', publish: async (c) => void seen.push(c) });
    const cps = await store.listCheckpoints();
    expect(cps.map((c) => c.treeSize)).toEqual([4, 8]);
    expect(seen.map((c) => c.treeSize)).toEqual([4, 8]);
    const cp = trail.checkpointer;
    if (!cp) throw new Error('checkpointer expected');
    const last = await cp.checkpoint();
    expect(last.treeSize).toBe(10);
    const events = await store.list();
    const leaves = events.map((e) => leafHash(serializeAuditEvent(e)));
    expect(last.rootHash).toBe(rootHash(leaves));
    for (const e of events) {
      const p = await cp.proveInclusion(e.seq);
      expect(verifyInclusion(leafHash(serializeAuditEvent(e)), e.seq, 10, p.proof, last.rootHash)).toBe(true);
    }
    const c48 = await cp.proveConsistency(4, 8);
    expect(verifyConsistency(4, 8, c48, cps[0]?.rootHash ?? '', cps[1]?.rootHash ?? '')).toBe(true);
  });

  it('rejects a store without a Merkle tree and a non-ed25519 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      createAuditCheckpointer({ store: createMemoryAuditStore(), privateKey: rsa.privateKey }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() =>
      createAuditTrail({
        store: createMemoryAuditStore(),
        checkpoints: { privateKey: keys.privateKey, everyEvents: 0 },
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const plain = { append: async () => ({}) as never, list: async () => [], head: async () => null };
    expect(() => createAuditTrail({ store: plain, checkpoints: { privateKey: keys.privateKey } })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('verifyAuditExport', () => {
  it('accepts an intact export and round-trips through JSON lines', async () => {
    const { store } = await filledTrail(9);
    const ex = await exportOf(store);
    const text = [...ex.events, ...ex.checkpoints.map(checkpointExportLine)].join('\n');
    const report = verifyAuditExport({ ...parseAuditExport(text), publicKey: pem });
    expect(report).toMatchObject({
      ok: true,
      events: 9,
      checkpoints: 2,
      verifiedTreeSize: 8,
      unsignedTail: 1,
    });
  });

  it('names the edited index, a deleted tail, a rewritten log and a swap', async () => {
    const { store } = await filledTrail(12);
    const ex = await exportOf(store);
    const edited = [...ex.events];
    edited[5] = (edited[5] as string).replace('"i":5', '"i":55');
    expect(verifyAuditExport({ ...ex, events: edited, publicKey: pem }).failures[0]).toMatchObject({
      kind: 'chain',
      index: 5,
    });

    const cut = verifyAuditExport({ ...ex, events: ex.events.slice(0, 10), publicKey: pem });
    expect(cut.failures).toContainEqual(expect.objectContaining({ kind: 'truncated', treeSize: 12 }));

    // A rewritten, re-chained log with its own checkpoints dropped: only the witness copy catches it.
    const rewritten = createMemoryAuditStore();
    for (const line of ex.events) {
      const e = JSON.parse(line);
      await rewritten.append({ ...e, data: { i: 0 } });
    }
    const forged = (await rewritten.list()).map(serializeAuditEvent);
    expect(verifyAuditExport({ events: forged, checkpoints: [], publicKey: pem }).ok).toBe(true);
    const caught = verifyAuditExport({
      events: forged,
      checkpoints: [],
      witnessed: ex.checkpoints,
      publicKey: pem,
    });
    expect(caught.failures).toContainEqual(
      expect.objectContaining({ kind: 'root_mismatch', source: 'witness' }),
    );

    const swapped = [...ex.events];
    [swapped[2], swapped[3]] = [swapped[3] as string, swapped[2] as string];
    expect(verifyAuditExport({ ...ex, events: swapped, publicKey: pem }).failures[0]).toMatchObject({
      kind: 'chain',
      index: 2,
    });

    const badSig = ex.checkpoints.map((c) => ({ ...c, signature: Buffer.alloc(64).toString('base64') }));
    expect(verifyAuditExport({ ...ex, checkpoints: badSig, publicKey: pem }).failures[0]).toMatchObject({
      kind: 'signature',
    });
  });
});

describe('the offline verifier', () => {
  it('merkle.ts and checkpoint.ts import node:crypto and the canonical JSON library only', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of ['merkle.ts', 'checkpoint.ts']) {
      const text = await readFile(new URL(`./${file}`, import.meta.url), 'utf8');
      const from = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      expect(
        from.every((f) => f === 'node:crypto' || f === 'json-canonicalize'),
        `${file}: ${from.join(', ')}`,
      ).toBe(true);
    }
  });
});
