// What every concern of one org's Neo4j graph view shares: the connection, the namespace and org every
// statement matches, the org's search key and the clock.
import { IntelGraphError } from '@intelgraph/core';
import type { Neo4jConnection } from '../connection.js';

/** One org's view of the Neo4j graph: every statement matches `(ns, org)`. */
export interface Neo4jGraphContext {
  readonly connection: Neo4jConnection;
  readonly ns: string;
  readonly org: string;
  /** The org's key in the full-text index. */
  readonly orgKey: string;
  /** The current time as ISO-8601. */
  readonly now: () => string;
}

/** `NOT_FOUND` for an entity id. */
export function notFound(id: string): IntelGraphError {
  return new IntelGraphError('NOT_FOUND', `no entity "${id}"`, { details: { id } });
}
