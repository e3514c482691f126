// Installations: one per org and plugin, updated under an optimistic revision check.
import { IntelGraphError, type MarketplaceStore } from '@intelgraph/core';
import { type CatalogContext, one } from './context.js';
import { INSTALLATION_COLUMNS, type Row, setClause, toInstallation } from './rows.js';

/** The installation methods of the PostgreSQL catalog store. */
export function installationMethods({
  db,
}: CatalogContext): Pick<
  MarketplaceStore,
  'createInstallation' | 'getInstallation' | 'listInstallations' | 'updateInstallation' | 'deleteInstallation'
> {
  return {
    async createInstallation(record) {
      const { rows } = await db.query<Row>(
        `INSERT INTO ig_catalog_installations (org_id, plugin_id, version, requested, pinned, status, disabled_reason,
           pending_scopes, optional_scopes, package_digest, code_sha256, warnings, approval_ref, installed_by,
           installed_at, updated_at, revision, contracts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12::jsonb, $13, $14, $15, $16, $17,
           $18::jsonb)
         ON CONFLICT (org_id, plugin_id) DO NOTHING
         RETURNING *`,
        [
          record.orgId,
          record.pluginId,
          record.version,
          record.requested,
          record.pinned,
          record.status,
          record.disabledReason,
          JSON.stringify(record.pendingScopes),
          JSON.stringify(record.optionalScopes),
          record.packageDigest,
          record.codeSha256,
          JSON.stringify(record.warnings),
          record.approvalRef,
          record.installedBy,
          record.installedAt,
          record.updatedAt,
          record.revision,
          record.contracts === undefined ? null : JSON.stringify(record.contracts),
        ],
      );
      const row = rows[0];
      if (!row)
        throw new IntelGraphError('CONFLICT', `${record.pluginId} is already installed in ${record.orgId}`);
      return toInstallation(row);
    },
    async getInstallation(orgId, pluginId) {
      const row = await one(
        db,
        'SELECT * FROM ig_catalog_installations WHERE org_id = $1 AND plugin_id = $2',
        [orgId, pluginId],
      );
      return row ? toInstallation(row) : null;
    },
    async listInstallations(filter = {}) {
      const { rows } = await db.query<Row>(
        `SELECT * FROM ig_catalog_installations
         WHERE ($1::text IS NULL OR org_id = $1) AND ($2::text IS NULL OR plugin_id = $2)
         ORDER BY org_id COLLATE "C", plugin_id COLLATE "C"`,
        [filter.orgId ?? null, filter.pluginId ?? null],
      );
      return rows.map(toInstallation);
    },
    async updateInstallation(orgId, pluginId, patch, expectedRevision) {
      const params: unknown[] = [orgId, pluginId];
      const sets = setClause(patch, INSTALLATION_COLUMNS, params);
      sets.push('revision = revision + 1');
      let where = 'org_id = $1 AND plugin_id = $2';
      if (expectedRevision !== undefined) {
        params.push(expectedRevision);
        where += ` AND revision = $${params.length}`;
      }
      const row = await one(
        db,
        `UPDATE ig_catalog_installations SET ${sets.join(', ')} WHERE ${where} RETURNING *`,
        params,
      );
      if (row) return toInstallation(row);
      const current = await one(
        db,
        'SELECT revision FROM ig_catalog_installations WHERE org_id = $1 AND plugin_id = $2',
        [orgId, pluginId],
      );
      if (!current) throw new IntelGraphError('NOT_FOUND', `${pluginId} is not installed in ${orgId}`);
      throw new IntelGraphError('CONFLICT', `installation of ${pluginId} in ${orgId} changed concurrently`, {
        details: { expectedRevision, revision: Number(current.revision) },
      });
    },
    async deleteInstallation(orgId, pluginId) {
      const r = await db.query('DELETE FROM ig_catalog_installations WHERE org_id = $1 AND plugin_id = $2', [
        orgId,
        pluginId,
      ]);
      return r.rowCount > 0;
    },
  };
}
