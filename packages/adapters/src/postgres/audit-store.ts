import type { AuditLogStore } from '@intelgraph/core';
import { appendMethods } from './audit/append.js';
import { checkpointMethods } from './audit/checkpoints.js';
import type { AuditContext } from './audit/context.js';
import { eventMethods } from './audit/events.js';
import { treeMethods } from './audit/tree.js';
import type { SqlDatabase } from './sql.js';

// The PostgreSQL audit store's public face; its concerns live under audit/, sharing one context.

/**
 * Options of {@link createPgAuditStore}.
 *
 * @example
 * ```ts
 * const store = createPgAuditStore(db, { maxBatch: 200, maxEventChars: 256 * 1024 });
 * ```
 */
export interface PgAuditStoreOptions {
  /** Most events written by one statement when appends queue up (default 100). */
  maxBatch?: number;
  /** Largest stored event, in characters of canonical JSON (default 1 MiB). */
  maxEventChars?: number;
}

/**
 * The hash-chained audit log on PostgreSQL or PGlite (tables `ig_audit_events` and `ig_audit_head`,
 * migration `audit_0001_chain`). An append is one statement that moves the single head row from where
 * this store last saw it (compare-and-swap) and inserts the linked events only if it did; when another
 * connection or host moved the head first, that batch takes a transaction that locks the head row
 * (`SELECT … FOR UPDATE`, first come first served), links to it, inserts and moves the head. Writers on any
 * number of connections and hosts so produce one linear chain; `seq` is the primary key, so a gap or
 * fork cannot be stored. Appends that arrive while a transaction is in flight are written together by the next one
 * (group commit), which multiplies throughput under load without changing the chain. Each event is
 * stored as the canonical JSON that was hashed, byte for byte.
 *
 * @example
 * ```ts
 * import { createAuditTrail } from '@intelgraph/core';
 * import { createPgAuditStore, createPgDatabase, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const audit = createAuditTrail({ store: createPgAuditStore(db) });
 * await audit.record({ type: 'plugin.installed', actor: { userId: 'alice', orgId: 'acme' }, subject: 'plugin:sample-enricher', orgId: 'acme' });
 * (await audit.verify()).ok; // true
 * ```
 */
export function createPgAuditStore(db: SqlDatabase, options: PgAuditStoreOptions = {}): AuditLogStore {
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 100, 1_000));
  const maxEventChars = options.maxEventChars ?? 1_048_576;
  const ctx: AuditContext = { db, maxBatch, maxEventChars, queue: [], flushing: false, knownHead: undefined };
  return {
    ...appendMethods(ctx),
    ...eventMethods(ctx),
    ...treeMethods(ctx),
    ...checkpointMethods(ctx),
  };
}
