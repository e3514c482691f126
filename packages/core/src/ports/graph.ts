// Port interfaces for the graph domain: what plugins reach through `graph:read` / `graph:write`.
// Implemented by @intelgraph/adapters/memory, /postgres (SQL adjacency, the embedded default) and /neo4j.
// The graph is partitioned by org: callers reach it only through `GraphStore.forOrg(orgId)`.
import type { JsonValue } from '../json.js';

/** A node of the knowledge graph. Entities are typed by a `type` string, not by storage labels. */
export interface GraphEntity {
  /** Caller-chosen stable id (for example `person:alice`), 1–200 printable characters; unique per org. */
  id: string;
  /** PascalCase kind of thing (`Person`, `Organization`, `Account`…). */
  type: string;
  /** The display name; searched. */
  name: string;
  /** Other names; searched. A merge adds the merged entity's name and aliases here. */
  aliases: string[];
  /** Free-form JSON properties (objects with string keys; no prototype keys). */
  properties: Record<string, JsonValue>;
  /** Ids of entities merged into this one, oldest first. */
  mergedFrom: string[];
  /** ISO-8601 times set by the store's clock. */
  createdAt: string;
  updatedAt: string;
}

/**
 * A directed, typed edge. A relationship is identified by `(from, type, to)`: upserting the same
 * triple again updates its properties instead of adding a parallel edge.
 */
export interface GraphRelationship {
  /** SCREAMING_SNAKE_CASE kind (`WORKS_AT`, `OWNS`, `TRANSFERRED_TO`…). */
  type: string;
  from: string;
  to: string;
  properties: Record<string, JsonValue>;
  createdAt: string;
  updatedAt: string;
}

/** What a caller supplies to create or replace an entity (type, name, aliases and properties are replaced). */
export interface GraphEntityInput {
  id: string;
  type: string;
  name: string;
  aliases?: string[];
  properties?: Record<string, JsonValue>;
}

/** What a caller supplies to create or update a relationship; both ends must exist. */
export interface GraphRelationshipInput {
  type: string;
  from: string;
  to: string;
  properties?: Record<string, JsonValue>;
}

/**
 * Full-text search. The query is split into terms (runs of letters and digits, case-insensitive); an
 * entity matches when every term is a prefix of a word of its name or of one of its aliases.
 */
export interface GraphSearchQuery {
  /** 1–200 characters with at least one letter or digit; at most 8 terms are used. */
  q: string;
  /** Only entities of these types. */
  types?: string[];
  /** Page size, 1–100 (default 10). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One search hit. `score` is backend-specific relevance; only its order is meaningful. */
export interface GraphSearchHit {
  entity: GraphEntity;
  score: number;
}

/** A page of results. `rows` is what the call returned, for the plugin's rows budget. */
export interface GraphPage<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
  rows: number;
}

/** Which edges `neighbors` follows, relative to the start entity. */
export type GraphDirection = 'out' | 'in' | 'both';

/** The entities one hop away from `id`. */
export interface GraphNeighborsQuery {
  id: string;
  /** Default `both`. */
  direction?: GraphDirection;
  /** Only relationships of these types. */
  relationshipTypes?: string[];
  /** Page size, 1–100 (default 25). */
  limit?: number;
  cursor?: string;
}

/** One neighbour with the relationship that reaches it (ordered by neighbour id, relationship type, then `from`). */
export interface GraphNeighbor {
  relationship: GraphRelationship;
  entity: GraphEntity;
}

/** A batch upsert; the batch is applied atomically (all or nothing). */
export interface GraphUpsertInput {
  /** Up to 5,000 entities; ids must be unique within the batch. */
  entities?: GraphEntityInput[];
  /** Up to 5,000 relationships; ends may refer to entities of the same batch; no self-loops. */
  relationships?: GraphRelationshipInput[];
}

/** What an upsert changed. `rows` counts every entity and relationship written. */
export interface GraphUpsertResult {
  entities: { created: number; updated: number };
  relationships: { created: number; updated: number };
  rows: number;
}

/** Merge `mergedId` into `survivorId` (both must exist and differ). */
export interface GraphMergeInput {
  survivorId: string;
  mergedId: string;
}

/**
 * The outcome of a merge. The merged entity is gone; its relationships now start or end at the
 * survivor (edges between the two are dropped, duplicate triples collapse keeping the survivor's
 * properties), its name and aliases became aliases of the survivor, and its properties fill keys the
 * survivor lacked. Backends that also hold cases re-point the same org's case links to the survivor in
 * the same transaction.
 */
export interface GraphMergeResult {
  entity: GraphEntity;
  relationshipsMoved: number;
  relationshipsDropped: number;
  /** Entities and relationships touched. */
  rows: number;
}

/**
 * The knowledge graph of one org: what {@link GraphStore.forOrg} returns. Every method reads and writes
 * only that org's entities and relationships; an id of another org is simply absent (`NOT_FOUND`, never
 * a hint that it exists elsewhere), so two orgs may both hold `person:alice`. Every method validates its
 * input (`INVALID_INPUT`), reports a missing entity as `NOT_FOUND` and an unreachable backend as
 * `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * async function enrich(graph: OrgGraph, q: string) {
 *   const { items, rows } = await graph.search({ q, limit: 10 }); // rows feed the plugin's rows budget
 *   return items.map((hit) => hit.entity.id);
 * }
 * ```
 */
export interface OrgGraph {
  /** The org this view reads and writes (validated by `forOrg`). */
  readonly orgId: string;
  getEntity(id: string): Promise<GraphEntity | null>;
  search(query: GraphSearchQuery): Promise<GraphPage<GraphSearchHit>>;
  neighbors(query: GraphNeighborsQuery): Promise<GraphPage<GraphNeighbor>>;
  /** Relationship ends must be entities of this org (in the batch or stored), else `NOT_FOUND`. */
  upsert(input: GraphUpsertInput): Promise<GraphUpsertResult>;
  /** Both entities must be of this org, else `NOT_FOUND`. */
  merge(input: GraphMergeInput): Promise<GraphMergeResult>;
}

/**
 * Port: the knowledge graph, partitioned by org. The store itself has no graph methods: a caller must
 * name the org first (`forOrg(orgId)`), so code that forgets the tenant does not compile. Storage is
 * keyed by `(org, id)` on every backend. `forOrg` validates the org id with core's org id rule
 * (`INVALID_INPUT`, thrown synchronously) and is cheap: it allocates a view, no I/O. Implemented by
 * `createMemoryGraphStore` (`@intelgraph/adapters/memory`), `createPgGraphStore` (`/postgres`) and
 * `createNeo4jGraphStore` (`/neo4j`).
 *
 * @example
 * ```ts
 * async function enrich(graph: GraphStore, actor: { orgId: string }, q: string) {
 *   const { items } = await graph.forOrg(actor.orgId).search({ q, limit: 10 });
 *   return items.map((hit) => hit.entity.id);
 * }
 * ```
 */
export interface GraphStore {
  /** The graph of `orgId` (an org id as in `Actor.orgId`). */
  forOrg(orgId: string): OrgGraph;
}
