// Signed checkpoints of the Merkle tree: one per tree size, listed in size order.
import {
  type AuditCheckpointQuery,
  type AuditLogStore,
  parseInput,
  type SignedAuditCheckpoint,
} from '@intelgraph/core';
import { z } from 'zod';
import type { AuditContext } from './context.js';
import { Size } from './tree.js';

const CheckpointSchema = z.object({
  treeSize: Size,
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.string().min(1).max(64),
  keyId: z.string().regex(/^[0-9a-f]{64}$/),
  signature: z.string().min(1).max(200),
});
const CheckpointQuerySchema = z
  .object({ afterSize: z.number().int().optional(), limit: z.number().int().optional() })
  .optional();

interface CheckpointRow {
  tree_size: number | string;
  root_hash: string;
  time: string;
  key_id: string;
  signature: string;
}
const toCheckpoint = (r: CheckpointRow): SignedAuditCheckpoint => ({
  treeSize: Number(r.tree_size),
  rootHash: r.root_hash,
  time: r.time,
  keyId: r.key_id,
  signature: r.signature,
});

/** The checkpoint methods of the PostgreSQL audit store. */
export function checkpointMethods({
  db,
}: AuditContext): Pick<AuditLogStore, 'putCheckpoint' | 'listCheckpoints' | 'latestCheckpoint'> {
  return {
    async putCheckpoint(checkpoint) {
      const c = parseInput(CheckpointSchema, checkpoint, 'audit checkpoint');
      await db.query(
        `INSERT INTO ig_audit_checkpoints (tree_size, root_hash, time, key_id, signature)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING`,
        [c.treeSize, c.rootHash, c.time, c.keyId, c.signature],
      );
    },

    async listCheckpoints(query?: AuditCheckpointQuery) {
      const q = parseInput(CheckpointQuerySchema, query, 'checkpoint query') ?? {};
      const limit = Math.max(0, Math.min(q.limit ?? 1000, 10_000));
      const { rows } = await db.query<CheckpointRow>(
        `SELECT tree_size, root_hash, time, key_id, signature FROM ig_audit_checkpoints
         WHERE ($1::bigint IS NULL OR tree_size > $1::bigint) ORDER BY tree_size LIMIT $2`,
        [q.afterSize ?? null, limit],
      );
      return rows.map(toCheckpoint);
    },

    async latestCheckpoint() {
      const { rows } = await db.query<CheckpointRow>(
        `SELECT tree_size, root_hash, time, key_id, signature FROM ig_audit_checkpoints
         ORDER BY tree_size DESC LIMIT 1`,
      );
      const row = rows[0];
      return row ? toCheckpoint(row) : null;
    },
  };
}
