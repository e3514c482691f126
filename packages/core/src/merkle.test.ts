import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  createMerkleNodeReader,
  EMPTY_TREE_ROOT,
  inclusionProof,
  leafHash,
  merkleAppend,
  perfectSubtrees,
  rootHash,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// Reference vectors of RFC 6962 / RFC 9162 trees, transcribed from Certificate Transparency's Go test
// suite (github.com/transparency-dev/merkle, proof/verify_test.go and testonly/constants.go; the same
// values appear in google/certificate-transparency's C++ merkle_tree_test.cc). Leaf indices there are
// 1-based; here they are 0-based.
const LEAF_DATA = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY = [
  { m: 1, n: 1, proof: [] as string[] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const LEAVES = LEAF_DATA.map((d) => leafHash(d));
const READ = createMerkleNodeReader(LEAVES);

function flip(hex: string, at: number): string {
  const b = Buffer.from(hex, 'hex');
  b[at % b.length] = (b[at % b.length] as number) ^ 1;
  return b.toString('hex');
}

describe('merkle (RFC 9162 §2.1)', () => {
  it('matches the reference roots for every size 0..8', async () => {
    expect(rootHash([])).toBe(EMPTY_TREE_ROOT);
    expect(EMPTY_TREE_ROOT).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let n = 1; n <= 8; n++) {
      expect(rootHash(LEAVES.slice(0, n))).toBe(ROOTS[n - 1]);
      expect(await treeRoot(n, READ)).toBe(ROOTS[n - 1]);
    }
  });

  it.each(INCLUSION)(
    'builds and verifies the reference inclusion proof of leaf $index in $size',
    async (v) => {
      expect(await inclusionProof(v.index, v.size, READ)).toEqual(v.proof);
      const root = ROOTS[v.size - 1] as string;
      const leaf = LEAVES[v.index] as string;
      expect(verifyInclusion(leaf, v.index, v.size, v.proof, root)).toBe(true);
      expect(verifyInclusion(leaf, v.index + 1, v.size, v.proof, root)).toBe(false);
      expect(verifyInclusion(leaf, v.index, v.size * 2, v.proof, root)).toBe(false);
      expect(verifyInclusion(leaf, v.index, v.size, [...v.proof, root], root)).toBe(false);
      expect(verifyInclusion(leaf, v.index, v.size, v.proof.slice(0, -1), root)).toBe(false);
    },
  );

  it.each(CONSISTENCY)('builds and verifies the reference consistency proof $m → $n', async (v) => {
    expect(await consistencyProof(v.m, v.n, READ)).toEqual(v.proof);
    const r1 = ROOTS[v.m - 1] as string;
    const r2 = ROOTS[v.n - 1] as string;
    expect(verifyConsistency(v.m, v.n, v.proof, r1, r2)).toBe(true);
    if (v.proof.length > 0) {
      expect(verifyConsistency(v.m, v.n, v.proof, r2, r1)).toBe(false);
      expect(verifyConsistency(v.m, v.n, [], r1, r2)).toBe(false);
      expect(verifyConsistency(v.m, v.n, v.proof.slice(0, -1), r1, r2)).toBe(false);
    }
  });

  it('rejects impossible indices and sizes without throwing', () => {
    const root = ROOTS[0] as string;
    expect(verifyInclusion(root, 0, 0, [], root)).toBe(false);
    expect(verifyInclusion(root, 1, 1, [], root)).toBe(false);
    expect(verifyInclusion(root, 0, 1, [], root)).toBe(true);
    expect(verifyInclusion('zz', 0, 1, [], root)).toBe(false);
    expect(verifyConsistency(2, 1, [], root, root)).toBe(false);
    expect(verifyConsistency(0, 5, [], EMPTY_TREE_ROOT, root)).toBe(true);
  });

  it('decomposes ranges into perfect subtrees', () => {
    expect(perfectSubtrees(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(perfectSubtrees(4, 8)).toEqual([{ level: 2, index: 1 }]);
  });

  it('merkleAppend emits exactly the perfect subtrees, in batches of any split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), (a, b) => {
        const leaves = Array.from({ length: a + b }, (_, i) => leafHash(`leaf ${i}`));
        const first = merkleAppend(0, [], leaves.slice(0, a));
        const second = merkleAppend(a, first.frontier, leaves.slice(a));
        const nodes = new Map(
          [...first.nodes, ...second.nodes].map((x) => [`${x.level}/${x.index}`, x.hash]),
        );
        // Every perfect subtree of the full tree is there, with the right hash.
        for (let level = 0; 2 ** level <= a + b; level++) {
          for (let i = 0; (i + 1) * 2 ** level <= a + b; i++) {
            const want = rootHash(leaves.slice(i * 2 ** level, (i + 1) * 2 ** level));
            if (nodes.get(`${level}/${i}`) !== want) return false;
          }
        }
        return second.frontier.length === perfectSubtrees(0, a + b).length;
      }),
      { numRuns: 60 },
    );
  });

  it('property: every inclusion and consistency proof of a random tree verifies; a flipped byte fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        async (size, i, j, byte) => {
          const leaves = Array.from({ length: size }, (_, k) => leafHash(`${size}:${k}`));
          const read = createMerkleNodeReader(leaves);
          const root = rootHash(leaves);
          const index = i % size;
          const leaf = leaves[index] as string;
          const proof = await inclusionProof(index, size, read);
          if (!verifyInclusion(leaf, index, size, proof, root)) return false;
          if (verifyInclusion(flip(leaf, byte), index, size, proof, root)) return false;
          if (verifyInclusion(leaf, index, size, proof, flip(root, byte))) return false;
          if (proof.length > 0) {
            const bad = [...proof];
            const at = byte % proof.length;
            bad[at] = flip(bad[at] as string, byte);
            if (verifyInclusion(leaf, index, size, bad, root)) return false;
          }
          const m = 1 + (j % size);
          const rootM = rootHash(leaves.slice(0, m));
          const cproof = await consistencyProof(m, size, read);
          if (!verifyConsistency(m, size, cproof, rootM, root)) return false;
          if (m < size) {
            if (verifyConsistency(m, size, cproof, flip(rootM, byte), root)) return false;
            if (verifyConsistency(m, size, cproof, rootM, flip(root, byte))) return false;
            const bad = [...cproof];
            const at = byte % cproof.length;
            bad[at] = flip(bad[at] as string, byte);
            if (verifyConsistency(m, size, bad, rootM, root)) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});
