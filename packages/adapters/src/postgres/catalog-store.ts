import {
  type AbuseReportRecord,
  type InstallationPatch,
  type InstallationRecord,
  IntelGraphError,
  type MarketplaceStore,
  type NegotiatedContractRecord,
  type PluginRecord,
  type PluginVersionPatch,
  type PluginVersionRecord,
  type PublisherKeyRecord,
  type PublisherRecord,
  type RatingRecord,
} from '@intelgraph/core';
import { errorCode, isRecord, member, parseStoredJson, stringArray } from '../narrow.js';
import type { SqlDatabase, SqlExecutor } from './sql.js';

type Row = Record<string, unknown>;

const KEY_STATUS: Record<PublisherKeyRecord['status'], true> = { active: true, retired: true, revoked: true };
const RISK: Record<PluginVersionRecord['risk'], true> = { low: true, medium: true, high: true };
const INSTALLATION_STATUS: Record<InstallationRecord['status'], true> = { enabled: true, disabled: true };
const DISABLED_REASON: Record<NonNullable<InstallationRecord['disabledReason']>, true> = {
  consent_required: true,
  key_revoked: true,
  contract_unnegotiable: true,
};
const CATEGORY: Record<AbuseReportRecord['category'], true> = {
  malware: true,
  data_exfiltration: true,
  privacy: true,
  impersonation: true,
  spam: true,
  inappropriate: true,
  broken: true,
  other: true,
};
const REPORT_STATUS: Record<AbuseReportRecord['status'], true> = {
  open: true,
  upheld: true,
  dismissed: true,
};
const EDGE: Record<NegotiatedContractRecord['edge'], true> = { input: true, output: true };

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** A jsonb column: pg decodes it, PGlite or a text column may hand over its text. */
const json = (v: unknown): unknown => (typeof v === 'string' ? parseStoredJson(v) : v);
const scopes = (v: unknown, what: string): string[] => stringArray(json(v), what);

function negotiatedContracts(v: unknown): NegotiatedContractRecord[] {
  const list = json(v);
  if (!Array.isArray(list)) throw new IntelGraphError('INTERNAL', 'unexpected stored negotiated contracts');
  return list.map((c: unknown) => {
    if (!isRecord(c)) throw new IntelGraphError('INTERNAL', 'unexpected stored negotiated contract');
    return {
      edge: member(EDGE, c.edge, 'contract edge'),
      subject: String(c.subject),
      version: Number(c.version),
      negotiatedAt: Number(c.negotiatedAt),
    };
  });
}

/** The row a write returned (or re-read); its absence is a database fault. */
function returned(row: Row | null | undefined, what: string): Row {
  if (row) return row;
  throw new IntelGraphError('INTERNAL', `the database returned no ${what} row`);
}

function isUniqueViolation(err: unknown): boolean {
  return errorCode(err) === '23505';
}

const toPublisher = (r: Row): PublisherRecord => ({
  id: str(r.id),
  displayName: str(r.display_name),
  createdAt: iso(r.created_at),
});

const toKey = (r: Row): PublisherKeyRecord => ({
  keyId: str(r.key_id),
  publisherId: str(r.publisher_id),
  publicKeyPem: str(r.public_key_pem),
  status: member(KEY_STATUS, r.status, 'publisher key status'),
  addedAt: iso(r.added_at),
  retiredAt: isoOrNull(r.retired_at),
  revokedAt: isoOrNull(r.revoked_at),
  reason: strOrNull(r.reason),
});

const toPlugin = (r: Row): PluginRecord => ({
  id: str(r.id),
  publisherId: str(r.publisher_id),
  createdAt: iso(r.created_at),
});

const toVersion = (r: Row): PluginVersionRecord => ({
  pluginId: str(r.plugin_id),
  version: str(r.version),
  publisherId: str(r.publisher_id),
  keyId: str(r.key_id),
  manifest: parseStoredJson(r.manifest_json),
  package: parseStoredJson(r.package_json),
  packageDigest: str(r.package_digest),
  codeSha256: str(r.code_sha256),
  requiredScopes: scopes(r.required_scopes, 'required scopes'),
  optionalScopes: scopes(r.optional_scopes, 'optional scopes'),
  risk: member(RISK, r.risk, 'risk level'),
  publishedAt: iso(r.published_at),
  yanked: Boolean(r.yanked),
  yankReason: strOrNull(r.yank_reason),
  hidden: Boolean(r.hidden),
  hiddenReason: strOrNull(r.hidden_reason),
  keyRevoked: Boolean(r.key_revoked),
});

const toInstallation = (r: Row): InstallationRecord => ({
  orgId: str(r.org_id),
  pluginId: str(r.plugin_id),
  version: str(r.version),
  requested: str(r.requested),
  pinned: Boolean(r.pinned),
  status: member(INSTALLATION_STATUS, r.status, 'installation status'),
  disabledReason:
    r.disabled_reason === null || r.disabled_reason === undefined
      ? null
      : member(DISABLED_REASON, r.disabled_reason, 'disabled reason'),
  pendingScopes: scopes(r.pending_scopes, 'pending scopes'),
  optionalScopes: scopes(r.optional_scopes, 'optional scopes'),
  packageDigest: str(r.package_digest),
  codeSha256: str(r.code_sha256),
  warnings: scopes(r.warnings, 'installation warnings'),
  approvalRef: strOrNull(r.approval_ref),
  installedBy: str(r.installed_by),
  installedAt: iso(r.installed_at),
  updatedAt: iso(r.updated_at),
  revision: Number(r.revision),
  ...(r.contracts === null || r.contracts === undefined
    ? {}
    : { contracts: negotiatedContracts(r.contracts) }),
});

const toRating = (r: Row): RatingRecord => ({
  pluginId: str(r.plugin_id),
  userId: str(r.user_id),
  orgId: str(r.org_id),
  stars: Number(r.stars),
  comment: strOrNull(r.comment),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const toReport = (r: Row): AbuseReportRecord => ({
  id: str(r.id),
  pluginId: str(r.plugin_id),
  version: str(r.version),
  category: member(CATEGORY, r.category, 'abuse category'),
  details: str(r.details),
  reporterId: str(r.reporter_id),
  orgId: str(r.org_id),
  status: member(REPORT_STATUS, r.status, 'abuse report status'),
  createdAt: iso(r.created_at),
  resolvedAt: isoOrNull(r.resolved_at),
  resolvedBy: strOrNull(r.resolved_by),
});

// Column names for patches come from these fixed maps, never from the caller; values are parameters.
const VERSION_COLUMNS: Record<keyof PluginVersionPatch, string> = {
  yanked: 'yanked',
  yankReason: 'yank_reason',
  hidden: 'hidden',
  hiddenReason: 'hidden_reason',
  keyRevoked: 'key_revoked',
};
const INSTALLATION_COLUMNS: Record<keyof InstallationPatch, { column: string; json?: true }> = {
  version: { column: 'version' },
  requested: { column: 'requested' },
  pinned: { column: 'pinned' },
  status: { column: 'status' },
  disabledReason: { column: 'disabled_reason' },
  pendingScopes: { column: 'pending_scopes', json: true },
  optionalScopes: { column: 'optional_scopes', json: true },
  packageDigest: { column: 'package_digest' },
  codeSha256: { column: 'code_sha256' },
  warnings: { column: 'warnings', json: true },
  approvalRef: { column: 'approval_ref' },
  contracts: { column: 'contracts', json: true },
  updatedAt: { column: 'updated_at' },
};
const KEY_COLUMNS = {
  status: 'status',
  retiredAt: 'retired_at',
  revokedAt: 'revoked_at',
  reason: 'reason',
} as const;

function setClause<K extends string>(
  patch: Partial<Record<K, unknown>>,
  columns: Record<K, string | { column: string; json?: true }>,
  params: unknown[],
): string[] {
  const sets: string[] = [];
  const values: Readonly<Record<string, unknown>> = patch;
  const specs: Readonly<Record<string, string | { column: string; json?: true }>> = columns;
  for (const [key, spec] of Object.entries(specs)) {
    if (!Object.hasOwn(values, key) || values[key] === undefined) continue;
    const column = typeof spec === 'string' ? spec : spec.column;
    const asJson = typeof spec !== 'string' && spec.json === true;
    params.push(asJson ? JSON.stringify(values[key]) : values[key]);
    sets.push(`${column} = $${params.length}${asJson ? '::jsonb' : ''}`);
  }
  return sets;
}

/**
 * The marketplace store (catalog, publisher keys, installations, ratings, abuse reports) on PostgreSQL
 * or PGlite. Run `migrate(db)` first. The `(org_id, plugin_id)` primary key makes concurrent installs
 * of one plugin leave exactly one installation; updates use an optimistic `revision` check.
 *
 * @example
 * ```ts
 * import { createPgDatabase, createPgCatalogStore, migrate } from '@intelgraph/adapters/postgres';
 * import { createMarketplace } from '@intelgraph/marketplace';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const market = createMarketplace({ store: createPgCatalogStore(db), broker, audit });
 * ```
 */
export function createPgCatalogStore(db: SqlDatabase): MarketplaceStore {
  async function one(ex: SqlExecutor, text: string, params: unknown[]): Promise<Row | null> {
    return (await ex.query<Row>(text, params)).rows[0] ?? null;
  }

  return {
    async ensurePublisher(record) {
      await db.query(
        'INSERT INTO ig_catalog_publishers (id, display_name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        [record.id, record.displayName, record.createdAt],
      );
      const row = await one(db, 'SELECT * FROM ig_catalog_publishers WHERE id = $1', [record.id]);
      return toPublisher(returned(row, 'publisher'));
    },
    async getPublisher(id) {
      const row = await one(db, 'SELECT * FROM ig_catalog_publishers WHERE id = $1', [id]);
      return row ? toPublisher(row) : null;
    },
    async insertKey(record) {
      try {
        await db.query(
          `INSERT INTO ig_catalog_keys (key_id, publisher_id, public_key_pem, status, added_at, retired_at, revoked_at, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            record.keyId,
            record.publisherId,
            record.publicKeyPem,
            record.status,
            record.addedAt,
            record.retiredAt,
            record.revokedAt,
            record.reason,
          ],
        );
      } catch (err) {
        if (isUniqueViolation(err))
          throw new IntelGraphError('CONFLICT', `key ${record.keyId} already exists`, { cause: err });
        throw err;
      }
    },
    async getKey(keyId) {
      const row = await one(db, 'SELECT * FROM ig_catalog_keys WHERE key_id = $1', [keyId]);
      return row ? toKey(row) : null;
    },
    async listKeys(publisherId) {
      const { rows } =
        publisherId === undefined
          ? await db.query<Row>('SELECT * FROM ig_catalog_keys ORDER BY added_at, key_id COLLATE "C"')
          : await db.query<Row>(
              'SELECT * FROM ig_catalog_keys WHERE publisher_id = $1 ORDER BY added_at, key_id COLLATE "C"',
              [publisherId],
            );
      return rows.map(toKey);
    },
    async updateKey(keyId, patch) {
      const params: unknown[] = [keyId];
      const sets = setClause(patch, KEY_COLUMNS, params);
      const row =
        sets.length === 0
          ? await one(db, 'SELECT * FROM ig_catalog_keys WHERE key_id = $1', params)
          : await one(
              db,
              `UPDATE ig_catalog_keys SET ${sets.join(', ')} WHERE key_id = $1 RETURNING *`,
              params,
            );
      if (!row) throw new IntelGraphError('NOT_FOUND', `no key ${keyId}`);
      return toKey(row);
    },

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

    async upsertRating(record) {
      const { rows } = await db.query<Row>(
        `INSERT INTO ig_catalog_ratings (plugin_id, user_id, org_id, stars, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (plugin_id, user_id) DO UPDATE
           SET org_id = EXCLUDED.org_id, stars = EXCLUDED.stars, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at
         RETURNING *`,
        [
          record.pluginId,
          record.userId,
          record.orgId,
          record.stars,
          record.comment,
          record.createdAt,
          record.updatedAt,
        ],
      );
      return toRating(returned(rows[0], 'rating'));
    },
    async getRating(pluginId, userId) {
      const row = await one(db, 'SELECT * FROM ig_catalog_ratings WHERE plugin_id = $1 AND user_id = $2', [
        pluginId,
        userId,
      ]);
      return row ? toRating(row) : null;
    },
    async listRatings(pluginId) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM ig_catalog_ratings WHERE plugin_id = $1 ORDER BY user_id COLLATE "C"',
        [pluginId],
      );
      return rows.map(toRating);
    },

    async createReport(record) {
      try {
        const { rows } = await db.query<Row>(
          `INSERT INTO ig_catalog_reports (id, plugin_id, version, category, details, reporter_id, org_id, status,
             created_at, resolved_at, resolved_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
          [
            record.id,
            record.pluginId,
            record.version,
            record.category,
            record.details,
            record.reporterId,
            record.orgId,
            record.status,
            record.createdAt,
            record.resolvedAt,
            record.resolvedBy,
          ],
        );
        return toReport(returned(rows[0], 'abuse report'));
      } catch (err) {
        if (isUniqueViolation(err))
          throw new IntelGraphError('CONFLICT', 'you already have an open report on this version', {
            cause: err,
          });
        throw err;
      }
    },
    async listReports(query = {}) {
      const { rows } = await db.query<Row>(
        `SELECT * FROM ig_catalog_reports
         WHERE ($1::text IS NULL OR plugin_id = $1) AND ($2::text IS NULL OR version = $2)
           AND ($3::text IS NULL OR status = $3)
         ORDER BY seq`,
        [query.pluginId ?? null, query.version ?? null, query.status ?? null],
      );
      return rows.map(toReport);
    },
    async resolveReports(pluginId, version, resolution) {
      const { rows } = await db.query<Row>(
        `UPDATE ig_catalog_reports SET status = $3, resolved_at = $4, resolved_by = $5
         WHERE plugin_id = $1 AND version = $2 AND status = 'open' RETURNING *`,
        [pluginId, version, resolution.status, resolution.resolvedAt, resolution.resolvedBy],
      );
      return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toReport);
    },
  };
}
