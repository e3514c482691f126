// Publishers and their signing keys: registration, key insertion, listing and status changes.
import { IntelGraphError, type MarketplaceStore } from '@intelgraph/core';
import { type CatalogContext, one } from './context.js';
import { isUniqueViolation, KEY_COLUMNS, type Row, returned, setClause, toKey, toPublisher } from './rows.js';

/** The publisher and publisher key methods of the PostgreSQL catalog store. */
export function publisherMethods({
  db,
}: CatalogContext): Pick<
  MarketplaceStore,
  'ensurePublisher' | 'getPublisher' | 'insertKey' | 'getKey' | 'listKeys' | 'updateKey'
> {
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
  };
}
