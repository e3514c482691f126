import { IntelGraphError } from '@intelgraph/core';
import { allMigrations } from './migrations/index.js';
import type { SqlDatabase } from './sql.js';

/** One schema change. `id`s are unique across domains (`<domain>_<nnnn>_<what>`); never edit an applied one. */
export interface Migration {
  id: string;
  sql: string;
}

// pg_advisory_xact_lock key: a fixed 64-bit number reserved for our migrations.
const MIGRATION_LOCK_KEY = 7_302_411_052_118_001;

/**
 * Applies every migration not yet recorded in `ig_migrations`, in order, each in the same transaction as
 * its record. Idempotent, and safe when several hosts start at once: a transaction-scoped advisory lock
 * serialises them and the second host finds nothing left to do.
 *
 * @example
 * ```ts
 * import { createPgDatabase, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * const { applied } = await migrate(db); // ['audit_0001_init', …] the first time, [] afterwards
 * ```
 */
export async function migrate(
  db: SqlDatabase,
  options: { migrations?: Migration[] } = {},
): Promise<{ applied: string[] }> {
  const migrations = options.migrations ?? allMigrations;
  const seen = new Set<string>();
  for (const m of migrations) {
    if (!/^[a-z][a-z0-9_]{2,99}$/.test(m.id) || seen.has(m.id)) {
      throw new IntelGraphError('INVALID_INPUT', `invalid or duplicate migration id "${m.id}"`);
    }
    seen.add(m.id);
  }
  if (db.kind === 'postgres' && db.schema !== 'public') {
    await db.exec(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
  }
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS ig_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM ig_migrations');
    const done = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO ig_migrations (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
    return { applied };
  });
}
