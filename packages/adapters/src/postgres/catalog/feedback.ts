// Ratings and abuse reports: one rating per user and plugin, reports resolved per version.
import { IntelGraphError, type MarketplaceStore } from '@intelgraph/core';
import { type CatalogContext, one } from './context.js';
import { isUniqueViolation, type Row, returned, toRating, toReport } from './rows.js';

/** The rating and abuse report methods of the PostgreSQL catalog store. */
export function feedbackMethods({
  db,
}: CatalogContext): Pick<
  MarketplaceStore,
  'upsertRating' | 'getRating' | 'listRatings' | 'createReport' | 'listReports' | 'resolveReports'
> {
  return {
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
