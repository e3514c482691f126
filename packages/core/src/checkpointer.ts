import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { serializeAuditEvent } from './audit.js';
import { type AuditWitness, type SignedAuditCheckpoint, signCheckpoint } from './checkpoint.js';
import { type Clock, systemClock } from './clock.js';
import { IntelGraphError, isIntelGraphError } from './errors.js';
import {
  consistencyProof,
  inclusionProof,
  inclusionProofRanges,
  leafHash,
  type MerkleNodeReader,
  merkleAppend,
  perfectSubtrees,
  treeRoot,
} from './merkle.js';
import type { AuditLogStore } from './ports/audit.js';
import { parseInput } from './validation.js';

/** An inclusion proof of one event against the tree of `treeSize` events with root `rootHash`. */
export interface AuditInclusionProof {
  seq: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  /** RFC 9162 audit path, leaf side first. */
  proof: string[];
}

/** Options of {@link createAuditCheckpointer}. */
export interface AuditCheckpointerOptions {
  store: AuditLogStore;
  /** The host's ed25519 private key. */
  privateKey: KeyObject;
  witnesses?: readonly AuditWitness[];
  clock?: Clock;
}

/** Grows the stored Merkle tree over the audit events, signs checkpoints and answers proofs. */
export interface AuditCheckpointer {
  /** Extends the stored tree to cover every appended event; returns its size. */
  syncTree(): Promise<number>;
  /**
   * Syncs the tree, signs a checkpoint of it, stores it and publishes it to every witness. Returns the
   * latest stored checkpoint when no event arrived since. A witness that fails does not undo the stored
   * checkpoint; the call then throws `UNAVAILABLE` naming the witnesses.
   */
  checkpoint(): Promise<SignedAuditCheckpoint>;
  /** Inclusion proof of event `seq` in the tree of `treeSize` events (default: the latest checkpoint). */
  proveInclusion(seq: number, treeSize?: number): Promise<AuditInclusionProof>;
  /** Consistency proof between the trees of `fromSize` and `toSize` events. */
  proveConsistency(fromSize: number, toSize: number): Promise<string[]>;
}

const PAGE = 1000;
const Size = z.number().int().nonnegative();

/**
 * Creates an {@link AuditCheckpointer} over an {@link AuditLogStore}. Proofs read O(log n) stored nodes
 * in one call, never the whole log. Existing logs need nothing else: the first `syncTree()` computes the
 * tree over the events already stored.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from 'node:crypto';
 * import { createAuditCheckpointer, createMemoryAuditStore } from '@intelgraph/core';
 * const store = createMemoryAuditStore();
 * const cp = createAuditCheckpointer({ store, privateKey: generateKeyPairSync('ed25519').privateKey });
 * const signed = await cp.checkpoint(); // { treeSize, rootHash, time, keyId, signature }
 * ```
 */
export function createAuditCheckpointer(options: AuditCheckpointerOptions): AuditCheckpointer {
  const { store, privateKey } = options;
  const clock = options.clock ?? systemClock;
  const witnesses = options.witnesses ?? [];
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new IntelGraphError('INVALID_INPUT', 'audit checkpoints need an ed25519 private key');
  }
  const read = (refs: readonly { level: number; index: number }[]) => store.readTreeNodes(refs);
  let inFlight: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = inFlight.then(fn, fn);
    inFlight = run.catch(() => undefined);
    return run;
  };

  const syncOnce = async (): Promise<number> => {
    for (;;) {
      let size = await store.treeSize();
      let frontier = await store.readTreeNodes(perfectSubtrees(0, size));
      let moved = false;
      for (;;) {
        const page = await store.list({ afterSeq: size - 1, limit: PAGE });
        if (page.length === 0) return size;
        const leaves = page.map((e, i) => {
          if (e.seq !== size + i)
            throw new IntelGraphError('INTERNAL', `audit log has a gap before seq ${e.seq}`);
          return leafHash(serializeAuditEvent(e));
        });
        const grown = merkleAppend(size, frontier, leaves);
        try {
          await store.extendTree(size, size + leaves.length, grown.nodes);
        } catch (err) {
          // Another host grew the tree first: start again from where it is now.
          if (isIntelGraphError(err) && err.code === 'CONFLICT') {
            moved = true;
            break;
          }
          throw err;
        }
        size += leaves.length;
        frontier = grown.frontier;
        if (page.length < PAGE) return size;
      }
      if (!moved) return size;
    }
  };

  return {
    syncTree: () => serial(syncOnce),
    checkpoint: () =>
      serial(async () => {
        const size = await syncOnce();
        const latest = await store.latestCheckpoint();
        let signed: SignedAuditCheckpoint;
        if (latest && latest.treeSize >= size) signed = latest;
        else {
          const rootHash = await treeRoot(size, read);
          signed = signCheckpoint(
            { treeSize: size, rootHash, time: new Date(clock.now()).toISOString() },
            privateKey,
          );
          await store.putCheckpoint(signed);
        }
        const results = await Promise.allSettled(witnesses.map((w) => w.publish(signed)));
        const failed = witnesses.filter((_, i) => results[i]?.status === 'rejected').map((w) => w.name);
        if (failed.length > 0) {
          throw new IntelGraphError(
            'UNAVAILABLE',
            `checkpoint ${signed.treeSize} stored, but witnesses failed: ${failed.join(', ')}`,
            {
              details: { treeSize: signed.treeSize, failed },
            },
          );
        }
        return signed;
      }),
    async proveInclusion(seq, treeSize) {
      parseInput(Size, seq, 'event seq');
      let size = treeSize;
      if (size === undefined) {
        const latest = await store.latestCheckpoint();
        if (!latest) throw new IntelGraphError('NOT_FOUND', 'no checkpoint yet: call checkpoint() first');
        size = latest.treeSize;
      }
      parseInput(Size, size, 'tree size');
      const indexed = await store.treeSize();
      if (size > indexed)
        throw new IntelGraphError('NOT_FOUND', `the tree covers ${indexed} events, not ${size}`);
      if (seq >= size)
        throw new IntelGraphError('INVALID_INPUT', `event ${seq} is not in a tree of ${size} events`);
      // One round trip: the leaf, the proof's subtrees and the root's subtrees, read together.
      const refs = [
        { level: 0, index: seq },
        ...inclusionProofRanges(seq, size).flatMap((r) => perfectSubtrees(r.start, r.end)),
        ...perfectSubtrees(0, size),
      ];
      const hashes = await store.readTreeNodes(refs);
      const known = new Map(refs.map((r, i) => [`${r.level}/${r.index}`, hashes[i] as string]));
      const cached: MerkleNodeReader = async (wanted) =>
        wanted.map((r) => known.get(`${r.level}/${r.index}`) as string);
      const [proof, rootHash] = await Promise.all([
        inclusionProof(seq, size, cached),
        treeRoot(size, cached),
      ]);
      return { seq, treeSize: size, leafHash: hashes[0] as string, rootHash, proof };
    },
    async proveConsistency(fromSize, toSize) {
      parseInput(Size, fromSize, 'tree size');
      parseInput(Size, toSize, 'tree size');
      if (fromSize > toSize)
        throw new IntelGraphError('INVALID_INPUT', `tree size ${fromSize} is after ${toSize}`);
      const indexed = await store.treeSize();
      if (toSize > indexed)
        throw new IntelGraphError('NOT_FOUND', `the tree covers ${indexed} events, not ${toSize}`);
      return consistencyProof(fromSize, toSize, read);
    },
  };
}
