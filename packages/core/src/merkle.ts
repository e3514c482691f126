// RFC 9162 §2.1 Merkle tree hashing, proofs and proof verification. This file imports node:crypto only,
// so an offline verifier depends on nothing else of the framework. Hashes are lowercase hex strings.
import { createHash } from 'node:crypto';

/** A perfect subtree: `2^level` leaves starting at leaf `index * 2^level`. Stores keep these hashes. */
export interface MerkleNodeRef {
  level: number;
  index: number;
}

/** A stored node of the tree: a perfect subtree and its hash. */
export interface MerkleNode extends MerkleNodeRef {
  hash: string;
}

/** Reads perfect-subtree hashes by reference (one round trip for a whole proof); same order as `refs`. */
export type MerkleNodeReader = (refs: readonly MerkleNodeRef[]) => Promise<readonly string[]>;

const HEX64 = /^[0-9a-f]{64}$/;

function digest(...parts: (Uint8Array | string)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'hex') : p);
  return h.digest();
}

/**
 * RFC 9162 leaf hash: SHA-256(0x00 || bytes). Strings are hashed as UTF-8 (the canonical JSON of an event).
 *
 * @example
 * ```ts
 * import { leafHash } from '@intelgraph/core';
 * leafHash(new Uint8Array()); // '6e340b9c…' (the RFC 6962 reference leaf 0)
 * ```
 */
export function leafHash(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return createHash('sha256').update(Uint8Array.of(0)).update(data).digest('hex');
}

/**
 * RFC 9162 interior node hash: SHA-256(0x01 || left || right).
 *
 * @example
 * ```ts
 * import { leafHash, nodeHash } from '@intelgraph/core';
 * nodeHash(leafHash('a'), leafHash('b')); // root of the two-leaf tree
 * ```
 */
export function nodeHash(left: string, right: string): string {
  return digest(Uint8Array.of(1), left, right).toString('hex');
}

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_TREE_ROOT = createHash('sha256').digest('hex');

function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer`);
}

/** The largest power of two strictly less than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees whose hashes make up leaves `[start, end)` of a tree, left to right: the binary
 * decomposition of the range. Every subtree an RFC 9162 proof names decomposes so, which is why storing
 * only perfect-subtree hashes gives any proof in O(log n) reads.
 *
 * @example
 * ```ts
 * import { perfectSubtrees } from '@intelgraph/core';
 * perfectSubtrees(0, 7); // [{ level: 2, index: 0 }, { level: 1, index: 2 }, { level: 0, index: 6 }]
 * ```
 */
export function perfectSubtrees(start: number, end: number): MerkleNodeRef[] {
  assertSize('start', start);
  assertSize('end', end);
  const out: MerkleNodeRef[] = [];
  let at = start;
  while (at < end) {
    // The largest aligned power of two that starts at `at` and fits before `end`.
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level++;
    out.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return out;
}

/** Folds the hashes of a range's perfect subtrees (left to right) into the range's RFC 9162 hash. */
function foldSubtrees(hashes: readonly string[]): string {
  let acc = hashes[hashes.length - 1];
  if (acc === undefined) return EMPTY_TREE_ROOT;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as string, acc);
  return acc;
}

/**
 * RFC 9162 MTH: the root hash of a list of leaf hashes.
 *
 * @example
 * ```ts
 * import { leafHash, rootHash } from '@intelgraph/core';
 * rootHash([leafHash('a'), leafHash('b'), leafHash('c')]);
 * ```
 */
export function rootHash(leaves: readonly string[]): string {
  const n = leaves.length;
  if (n === 0) return EMPTY_TREE_ROOT;
  if (n === 1) return leaves[0] as string;
  const k = splitPoint(n);
  return nodeHash(rootHash(leaves.slice(0, k)), rootHash(leaves.slice(k)));
}

/** A leaf range `[start, end)` of the tree whose hash is one element of a proof. */
export interface MerkleRange {
  start: number;
  end: number;
}

/**
 * The subtrees RFC 9162 PATH(index, D[size]) lists, leaf side first. Pure arithmetic, no hashes.
 *
 * @example
 * ```ts
 * import { inclusionProofRanges } from '@intelgraph/core';
 * inclusionProofRanges(2, 3); // [{ start: 0, end: 2 }]
 * ```
 */
export function inclusionProofRanges(index: number, size: number): MerkleRange[] {
  assertSize('index', index);
  assertSize('size', size);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const out: MerkleRange[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      out.push({ start: start + k, end });
    } else {
      walk(m - k, start + k, end);
      out.push({ start, end: start + k });
    }
  };
  walk(index, 0, size);
  return out;
}

/**
 * The subtrees RFC 9162 PROOF(m, D[n]) lists. Empty when `m` is 0 or equal to `n`.
 *
 * @example
 * ```ts
 * import { consistencyProofRanges } from '@intelgraph/core';
 * consistencyProofRanges(2, 5); // [{ start: 2, end: 4 }, { start: 4, end: 5 }]
 * ```
 */
export function consistencyProofRanges(m: number, n: number): MerkleRange[] {
  assertSize('m', m);
  assertSize('n', n);
  if (m > n) throw new RangeError(`tree size ${m} is larger than ${n}`);
  if (m === 0 || m === n) return [];
  const out: MerkleRange[] = [];
  const sub = (mm: number, start: number, end: number, whole: boolean): void => {
    const size = end - start;
    if (mm === size) {
      if (!whole) out.push({ start, end });
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      sub(mm, start, start + k, whole);
      out.push({ start: start + k, end });
    } else {
      sub(mm - k, start + k, end, false);
      out.push({ start, end: start + k });
    }
  };
  sub(m, 0, n, true);
  return out;
}

/** Resolves ranges to hashes with one call of the node reader (O(log n) refs per proof). */
async function hashRanges(ranges: readonly MerkleRange[], read: MerkleNodeReader): Promise<string[]> {
  const perRange = ranges.map((r) => perfectSubtrees(r.start, r.end));
  const refs = perRange.flat();
  const hashes = refs.length > 0 ? await read(refs) : [];
  if (hashes.length !== refs.length)
    throw new RangeError('the node reader returned the wrong number of hashes');
  let at = 0;
  return perRange.map((subs) => {
    const part = hashes.slice(at, at + subs.length);
    at += subs.length;
    return foldSubtrees(part);
  });
}

/**
 * Builds the RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves from stored
 * perfect-subtree hashes (see {@link createMerkleNodeReader} for an in-memory reader).
 *
 * @example
 * ```ts
 * import { createMerkleNodeReader, inclusionProof } from '@intelgraph/core';
 * const proof = await inclusionProof(5, 8, createMerkleNodeReader(leafHashes));
 * ```
 */
export function inclusionProof(index: number, size: number, read: MerkleNodeReader): Promise<string[]> {
  return hashRanges(inclusionProofRanges(index, size), read);
}

/**
 * Builds the RFC 9162 consistency proof between the trees of `m` and `n` leaves.
 *
 * @example
 * ```ts
 * import { consistencyProof, createMerkleNodeReader } from '@intelgraph/core';
 * const proof = await consistencyProof(6, 8, createMerkleNodeReader(leafHashes));
 * ```
 */
export function consistencyProof(m: number, n: number, read: MerkleNodeReader): Promise<string[]> {
  return hashRanges(consistencyProofRanges(m, n), read);
}

/**
 * The root of the tree of `size` leaves from stored perfect-subtree hashes (O(log n) reads).
 *
 * @example
 * ```ts
 * import { createMerkleNodeReader, treeRoot } from '@intelgraph/core';
 * await treeRoot(8, createMerkleNodeReader(leafHashes));
 * ```
 */
export async function treeRoot(size: number, read: MerkleNodeReader): Promise<string> {
  assertSize('size', size);
  const [root] = await hashRanges([{ start: 0, end: size }], read);
  return root ?? EMPTY_TREE_ROOT;
}

/**
 * Every perfect-subtree node that appending `leaves` to a tree of `size` leaves completes, leaves
 * included, given that tree's right frontier (the hashes of `perfectSubtrees(0, size)`, left to right).
 * Stores insert these; returns the new frontier too.
 *
 * @example
 * ```ts
 * import { merkleAppend } from '@intelgraph/core';
 * const { nodes, frontier } = merkleAppend(0, [], [leafHash('a'), leafHash('b')]);
 * // nodes: level 0 #0, level 0 #1, level 1 #0
 * ```
 */
export function merkleAppend(
  size: number,
  frontier: readonly string[],
  leaves: readonly string[],
): { nodes: MerkleNode[]; frontier: string[] } {
  assertSize('size', size);
  const expected = perfectSubtrees(0, size);
  if (expected.length !== frontier.length) throw new RangeError('the frontier does not match the tree size');
  const stack = expected.map((ref, i) => ({ ...ref, hash: frontier[i] as string }));
  const nodes: MerkleNode[] = [];
  let n = size;
  for (const leaf of leaves) {
    let node: MerkleNode = { level: 0, index: n, hash: leaf };
    nodes.push(node);
    // Merge while the new node is a right child whose left sibling is on the stack.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top || top.level !== node.level || node.index % 2 !== 1) break;
      stack.pop();
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) };
      nodes.push(node);
    }
    stack.push(node);
    n++;
  }
  return { nodes, frontier: stack.map((s) => s.hash) };
}

/**
 * An in-memory {@link MerkleNodeReader} over a list of leaf hashes (all perfect subtrees computed once).
 *
 * @example
 * ```ts
 * import { createMerkleNodeReader, inclusionProof } from '@intelgraph/core';
 * const read = createMerkleNodeReader([leafHash('a'), leafHash('b')]);
 * await inclusionProof(0, 2, read);
 * ```
 */
export function createMerkleNodeReader(leaves: readonly string[]): MerkleNodeReader {
  const levels: string[][] = [[...leaves]];
  for (;;) {
    const below = levels[levels.length - 1] as string[];
    if (below.length < 2) break;
    const up: string[] = [];
    for (let i = 0; i + 1 < below.length; i += 2)
      up.push(nodeHash(below[i] as string, below[i + 1] as string));
    levels.push(up);
  }
  return async (refs) =>
    refs.map((r) => {
      const h = levels[r.level]?.[r.index];
      if (h === undefined) throw new RangeError(`no node at level ${r.level} index ${r.index}`);
      return h;
    });
}

function validHashes(...hashes: readonly string[]): boolean {
  return hashes.every((h) => typeof h === 'string' && HEX64.test(h));
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show leaf `index` with hash `leaf` in the tree of `size` with `root`?
 *
 * @example
 * ```ts
 * import { verifyInclusion } from '@intelgraph/core';
 * verifyInclusion(leafHash(bytes), 5, 8, proof, root); // true or false, never throws
 * ```
 */
export function verifyInclusion(
  leaf: string,
  index: number,
  size: number,
  proof: readonly string[],
  root: string,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!Array.isArray(proof) || !validHashes(leaf, root, ...proof)) return false;
  // Bit arithmetic on numbers up to 2^53: use division, not 32-bit shifts.
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of `m` leaves (`rootM`) is a prefix of the tree of
 * `n` leaves (`rootN`)? `m = 0` is consistent with anything given an empty proof.
 *
 * @example
 * ```ts
 * import { verifyConsistency } from '@intelgraph/core';
 * verifyConsistency(6, 8, proof, root6, root8); // true or false, never throws
 * ```
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly string[],
  rootM: string,
  rootN: string,
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!Array.isArray(proof) || !validHashes(rootM, rootN, ...proof)) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && rootM === rootN;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as string;
  let sr = path[0] as string;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr === rootM && sr === rootN && sn === 0;
}

function isPowerOfTwo(x: number): boolean {
  let v = x;
  while (v > 1 && v % 2 === 0) v /= 2;
  return v === 1;
}
