// Plugins and their published versions: publishing, reads and yank/hide/revocation patches.
import { IntelGraphError, type MarketplaceStore } from '@intelgraph/core';
import { type CatalogContext, one } from './context.js';
import { type Row, setClause, toPlugin, toVersion, VERSION_COLUMNS } from './rows.js';

/** The plugin and version methods of the PostgreSQL catalog store. */
export function versionMethods({
  db,
}: CatalogContext): Pick<
  MarketplaceStore,
  | 'publishVersion'
  | 'getPlugin'
  | 'listPlugins'
  | 'getVersion'
  | 'listVersions'
  | 'listVersionsByKey'
  | 'updateVersion'
> {
  return {
    async publishVersion(plugin, version) {
      await db.transaction(async (tx) => {
        await tx.query(
          'INSERT INTO ig_catalog_plugins (id, publisher_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
          [plugin.id, plugin.publisherId, plugin.createdAt],
        );
        const owner = await one(tx, 'SELECT publisher_id FROM ig_catalog_plugins WHERE id = $1 FOR UPDATE', [
          plugin.id,
        ]);
        if (!owner || owner.publisher_id !== plugin.publisherId)
          throw new IntelGraphError('CONFLICT', `plugin ${plugin.id} belongs to another publisher`);
        const inserted = await tx.query(
          `INSERT INTO ig_catalog_versions (plugin_id, version, publisher_id, key_id, manifest_json, package_json,
             package_digest, code_sha256, required_scopes, optional_scopes, risk, published_at, yanked, yank_reason,
             hidden, hidden_reason, key_revoked)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (plugin_id, version) DO NOTHING`,
          [
            version.pluginId,
            version.version,
            version.publisherId,
            version.keyId,
            JSON.stringify(version.manifest),
            JSON.stringify(version.package),
            version.packageDigest,
            version.codeSha256,
            JSON.stringify(version.requiredScopes),
            JSON.stringify(version.optionalScopes),
            version.risk,
            version.publishedAt,
            version.yanked,
            version.yankReason,
            version.hidden,
            version.hiddenReason,
            version.keyRevoked,
          ],
        );
        if (inserted.rowCount === 0)
          throw new IntelGraphError(
            'CONFLICT',
            `${version.pluginId}@${version.version} is already published`,
          );
      });
    },
    async getPlugin(id) {
      const row = await one(db, 'SELECT * FROM ig_catalog_plugins WHERE id = $1', [id]);
      return row ? toPlugin(row) : null;
    },
    async listPlugins() {
      const { rows } = await db.query<Row>('SELECT * FROM ig_catalog_plugins ORDER BY id COLLATE "C"');
      return rows.map(toPlugin);
    },
    async getVersion(pluginId, version) {
      const row = await one(db, 'SELECT * FROM ig_catalog_versions WHERE plugin_id = $1 AND version = $2', [
        pluginId,
        version,
      ]);
      return row ? toVersion(row) : null;
    },
    async listVersions(pluginId) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM ig_catalog_versions WHERE plugin_id = $1 ORDER BY seq',
        [pluginId],
      );
      return rows.map(toVersion);
    },
    async listVersionsByKey(keyId) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM ig_catalog_versions WHERE key_id = $1 ORDER BY seq',
        [keyId],
      );
      return rows.map(toVersion);
    },
    async updateVersion(pluginId, version, patch) {
      const params: unknown[] = [pluginId, version];
      const sets = setClause(patch, VERSION_COLUMNS, params);
      const row =
        sets.length === 0
          ? await one(db, 'SELECT * FROM ig_catalog_versions WHERE plugin_id = $1 AND version = $2', params)
          : await one(
              db,
              `UPDATE ig_catalog_versions SET ${sets.join(', ')} WHERE plugin_id = $1 AND version = $2 RETURNING *`,
              params,
            );
      if (!row) throw new IntelGraphError('NOT_FOUND', `no version ${pluginId}@${version}`);
      return toVersion(row);
    },
  };
}
