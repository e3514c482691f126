// The Merkle tree over the chain: its size, node reads and growth under the tree head row lock.
import { type AuditLogStore, IntelGraphError, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import type { AuditContext } from './context.js';

const NodeRefs = z.array(
  z.object({ level: z.number().int().min(0).max(62), index: z.number().int().nonnegative() }),
);
const Nodes = z.array(
  z.object({
    level: z.number().int().min(0).max(62),
    index: z.number().int().nonnegative(),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
/** A Merkle tree size (a count of events). */
export const Size = z.number().int().nonnegative();
// Nodes per INSERT statement when the tree grows by a large batch (a first sync over a long chain).
const NODE_CHUNK = 20_000;

/** The Merkle tree methods of the PostgreSQL audit store. */
export function treeMethods({
  db,
}: AuditContext): Pick<AuditLogStore, 'treeSize' | 'readTreeNodes' | 'extendTree'> {
  return {
    async treeSize() {
      const { rows } = await db.query<{ size: number | string }>(
        'SELECT size FROM ig_audit_tree_head WHERE id = 1',
      );
      const row = rows[0];
      if (!row)
        throw new IntelGraphError('INTERNAL', 'the audit tree head row is missing: run migrate() first');
      return Number(row.size);
    },

    async readTreeNodes(refs) {
      const wanted = parseInput(NodeRefs, refs, 'Merkle node refs');
      if (wanted.length === 0) return [];
      const { rows } = await db.query<{ level: number; idx: number | string; hash: string }>(
        `SELECT n.level, n.idx, n.hash FROM ig_audit_tree_nodes n
         JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
        [wanted.map((r) => r.level), wanted.map((r) => r.index)],
      );
      const found = new Map(rows.map((r) => [`${r.level}/${Number(r.idx)}`, r.hash]));
      return wanted.map((r) => {
        const hash = found.get(`${r.level}/${r.index}`);
        if (hash === undefined) {
          throw new IntelGraphError('NOT_FOUND', `no Merkle node at level ${r.level} index ${r.index}`);
        }
        return hash;
      });
    },

    async extendTree(fromSize, toSize, nodes) {
      parseInput(Size, fromSize, 'tree size');
      parseInput(Size, toSize, 'tree size');
      const added = parseInput(Nodes, nodes, 'Merkle nodes');
      await db.transaction(async (tx) => {
        // The head row lock orders hosts; a host that read an older size gets CONFLICT and re-reads.
        const { rows } = await tx.query<{ size: number | string; head: number | string | null }>(
          `SELECT t.size, (SELECT seq FROM ig_audit_head WHERE id = 1) AS head
           FROM ig_audit_tree_head t WHERE t.id = 1 FOR UPDATE`,
        );
        const row = rows[0];
        if (!row)
          throw new IntelGraphError('INTERNAL', 'the audit tree head row is missing: run migrate() first');
        if (Number(row.size) !== fromSize) {
          throw new IntelGraphError(
            'CONFLICT',
            `the Merkle tree has ${Number(row.size)} events, not ${fromSize}`,
          );
        }
        if (toSize < fromSize || toSize > Number(row.head ?? -1) + 1) {
          throw new IntelGraphError('INVALID_INPUT', `cannot grow the Merkle tree to ${toSize} events`);
        }
        for (let i = 0; i < added.length; i += NODE_CHUNK) {
          const chunk = added.slice(i, i + NODE_CHUNK);
          await tx.query(
            `INSERT INTO ig_audit_tree_nodes (level, idx, hash)
             SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[])
             ON CONFLICT (level, idx) DO UPDATE SET hash = EXCLUDED.hash`, // nodes left above a reset size
            [chunk.map((n) => n.level), chunk.map((n) => n.index), chunk.map((n) => n.hash)],
          );
        }
        await tx.query('UPDATE ig_audit_tree_head SET size = $1 WHERE id = 1', [toSize]);
      });
    },
  };
}
