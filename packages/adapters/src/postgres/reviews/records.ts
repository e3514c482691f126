// Content-addressed evidence and the versioned review policies.
import { IntelGraphError, type ReviewPolicyRecord, type ReviewStore } from '@intelgraph/core';
import { parseStoredJson } from '../../narrow.js';
import { conflict, type ReviewContext, type Row } from './context.js';

const toPolicy = (r: Row): ReviewPolicyRecord => ({
  orgId: String(r.org_id),
  kind: String(r.kind),
  version: Number(r.version),
  definition: parseStoredJson(r.definition),
  taskId: String(r.task_id),
  createdAt: Number(r.created_at),
});

/** The evidence and policy methods of the PostgreSQL review store. */
export function recordMethods({
  db,
}: ReviewContext): Pick<ReviewStore, 'putEvidence' | 'getEvidence' | 'putPolicy' | 'getPolicy'> {
  return {
    async putEvidence(ref, bytes) {
      await db.query(
        'INSERT INTO ig_governance_evidence (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING',
        [ref.sha256, bytes.byteLength, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
      );
    },

    async getEvidence(sha256) {
      const { rows } = await db.query<{ bytes: Uint8Array }>(
        'SELECT bytes FROM ig_governance_evidence WHERE sha256 = $1',
        [sha256],
      );
      return rows[0] ? new Uint8Array(rows[0].bytes) : null;
    },

    async putPolicy(record) {
      try {
        const inserted = await db.query(
          `INSERT INTO ig_governance_policies (org_id, kind, version, task_id, definition, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id) DO NOTHING RETURNING *`,
          [
            record.orgId,
            record.kind,
            record.version,
            record.taskId,
            JSON.stringify(record.definition),
            record.createdAt,
          ],
        );
        if (inserted.rows[0]) return toPolicy(inserted.rows[0]);
      } catch (err) {
        throw conflict(err, `policy ${record.kind} version ${record.version}`);
      }
      const { rows } = await db.query('SELECT * FROM ig_governance_policies WHERE task_id = $1', [
        record.taskId,
      ]);
      if (!rows[0])
        throw new IntelGraphError('CONFLICT', `policy change ${record.taskId} could not be stored`);
      return toPolicy(rows[0]);
    },

    async getPolicy(orgId, kind) {
      const { rows } = await db.query(
        'SELECT * FROM ig_governance_policies WHERE org_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1',
        [orgId, kind],
      );
      return rows[0] ? toPolicy(rows[0]) : null;
    },
  };
}
