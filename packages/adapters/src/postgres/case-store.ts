import { type CaseStore, type Clock, type IdSource, randomIds, systemClock } from '@intelgraph/core';
import type { PgCaseContext } from './cases/context.js';
import { getCase, listCases } from './cases/reads.js';
import { appendCaseNote, createCase, updateCase } from './cases/writes.js';
import { parseNamespace } from './graph-rows.js';
import type { SqlDatabase } from './sql.js';

// The SQL case store's public face; its concerns live under cases/, sharing one context.

/**
 * Options of {@link createPgCaseStore}.
 *
 * @example
 * ```ts
 * const cases = createPgCaseStore(db, { namespace: 'tenant_a', clock: createManualClock(), ids: sequentialIds() });
 * ```
 */
export interface PgCaseStoreOptions {
  /** The namespace of the graph whose entities cases link (default `default`). */
  namespace?: string;
  clock?: Clock;
  /** Case and note ids (default: random UUIDs). */
  ids?: IdSource;
}

/**
 * The {@link CaseStore} on SQL (PGlite or PostgreSQL), beside the SQL graph store of the same
 * namespace ({@link createPgGraphStore}): cases are rows of `ig_cases`, their links rows of
 * `ig_case_entities` with a foreign key to the entity of the case's org (so linking checks the entity
 * exists in that org, even against a concurrent merge; another org's entity is `NOT_FOUND`), and notes rows of `ig_case_notes`. Changes lock the case row, so
 * concurrent notes all land and only one of two updates with the same `expectedVersion` wins; a graph
 * merge re-points links to the survivor in its own transaction. Cases are isolated per org.
 *
 * @example
 * ```ts
 * import { createPGliteDatabase, createPgCaseStore, createPgGraphStore, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPGliteDatabase({ dataDir: './.intelgraph/pg' });
 * await migrate(db);
 * const graph = createPgGraphStore(db).forOrg('acme');
 * const cases = createPgCaseStore(db);
 * await graph.upsert({ entities: [{ id: 'p1', type: 'Person', name: 'Alice' }] });
 * const c = await cases.create({ orgId: 'acme', title: 'Fraud ring', createdBy: 'alice', entityIds: ['p1'] });
 * await cases.appendNote({ orgId: 'acme', id: c.id, author: 'alice', text: 'Opened from alert 42' });
 * ```
 */
export function createPgCaseStore(db: SqlDatabase, options: PgCaseStoreOptions = {}): CaseStore {
  const ns = parseNamespace(options.namespace);
  const clock = options.clock ?? systemClock;
  const ctx: PgCaseContext = {
    db,
    ns,
    ids: options.ids ?? randomIds,
    now: () => new Date(clock.now()).toISOString(),
  };
  return {
    get: (ref) => getCase(ctx, ref),
    list: (query) => listCases(ctx, query),
    create: (input) => createCase(ctx, input),
    update: (input) => updateCase(ctx, input),
    appendNote: (input) => appendCaseNote(ctx, input),
  };
}
