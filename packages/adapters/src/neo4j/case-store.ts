import { type CaseStore, type Clock, type IdSource, randomIds, systemClock } from '@intelgraph/core';
import type { Neo4jCaseContext } from './cases/context.js';
import { getCase, listCases } from './cases/reads.js';
import { appendCaseNote, createCase, updateCase } from './cases/writes.js';
import type { Neo4jConnection } from './connection.js';

// The Neo4j case store's public face; its concerns live under cases/, sharing one context.

/**
 * Options of {@link createNeo4jCaseStore}.
 *
 * @example
 * ```ts
 * const cases = createNeo4jCaseStore(neo4j, { clock: createManualClock(), ids: sequentialIds() });
 * ```
 */
export interface Neo4jCaseStoreOptions {
  clock?: Clock;
  /** Case and note ids (default: random UUIDs). */
  ids?: IdSource;
}

/**
 * The {@link CaseStore} on Neo4j, beside the graph: a case is an `:IgCase` node whose links to
 * entities of its own org are `:IG_CASE_LINK` edges, so linking checks the entity exists in that org and a graph merge moves the
 * links to the survivor in the merge's own transaction. Notes are appended atomically to the node.
 *
 * @example
 * ```ts
 * import { createNeo4jCaseStore, createNeo4jConnection } from '@intelgraph/adapters/neo4j';
 * const neo4j = await createNeo4jConnection({ url: 'bolt://127.0.0.1:7687' });
 * const cases = createNeo4jCaseStore(neo4j);
 * const c = await cases.create({ orgId: 'acme', title: 'Fraud ring', createdBy: 'alice' });
 * await cases.update({ orgId: 'acme', id: c.id, status: 'in_progress', expectedVersion: c.version });
 * await neo4j.close();
 * ```
 */
export function createNeo4jCaseStore(
  connection: Neo4jConnection,
  options: Neo4jCaseStoreOptions = {},
): CaseStore {
  const clock = options.clock ?? systemClock;
  const ctx: Neo4jCaseContext = {
    connection,
    ns: connection.namespace,
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
