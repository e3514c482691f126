// Port interfaces for the cases domain: what plugins reach through `cases:read` / `cases:write`.
// Cases live beside the graph (memory, SQL or Neo4j) so a case links entities of its own org's graph and
// follows their merges; an entity of another org cannot be linked (`NOT_FOUND`).

/** Where a case is in its life. A `closed` case is read-only until it is reopened. */
export type CaseStatus = 'open' | 'in_progress' | 'closed';

/** A note appended to a case; notes are never edited or removed. */
export interface CaseNote {
  id: string;
  /** The user id of the author. */
  author: string;
  text: string;
  /** ISO-8601 time set by the store's clock. */
  at: string;
}

/** An investigation case of one org, linking graph entities. */
export interface CaseRecord {
  id: string;
  orgId: string;
  title: string;
  description: string;
  status: CaseStatus;
  /** Ids of linked entities of this org's graph, sorted. Entity merges re-point links to the survivor. */
  entityIds: string[];
  /** Oldest first. */
  notes: CaseNote[];
  /** The user id of the creator. */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Starts at 1 and grows by one with every change; pass it as `expectedVersion` for optimistic locking. */
  version: number;
}

/** A case in a listing: everything but the notes. */
export type CaseSummary = Omit<CaseRecord, 'notes'> & { noteCount: number };

/** Addresses one case of one org; a case of another org is `NOT_FOUND`. */
export interface CaseRef {
  orgId: string;
  id: string;
}

/** Filters of {@link CaseStore.list}; newest first (`createdAt` descending, then id descending). */
export interface CaseListQuery {
  orgId: string;
  status?: CaseStatus;
  /** Only cases linking this entity. */
  entityId?: string;
  /** Page size, 1–100 (default 20). */
  limit?: number;
  cursor?: string;
}

/** A page of cases. `rows` is what the call returned, for the plugin's rows budget. */
export interface CasePage {
  items: CaseSummary[];
  nextCursor: string | null;
  rows: number;
}

/** What a caller supplies to open a case (status starts `open`). */
export interface CaseCreateInput {
  orgId: string;
  title: string;
  description?: string;
  createdBy: string;
  /** Up to 500 existing entity ids of the same org's graph (`NOT_FOUND` otherwise, also for another org's). */
  entityIds?: string[];
}

/** A partial change. With `expectedVersion`, a concurrent change makes it fail with `CONFLICT`. */
export interface CaseUpdateInput extends CaseRef {
  expectedVersion?: number;
  title?: string;
  description?: string;
  status?: CaseStatus;
  linkEntityIds?: string[];
  unlinkEntityIds?: string[];
}

/** A note to append (`INVALID_TRANSITION` on a closed case). */
export interface CaseNoteInput extends CaseRef {
  author: string;
  text: string;
}

/**
 * Port: cases. Inputs are validated (`INVALID_INPUT`); a missing case is `NOT_FOUND`; changing a
 * closed case other than reopening it is `INVALID_TRANSITION`; a stale `expectedVersion` is `CONFLICT`;
 * an unreachable backend is `UNAVAILABLE`. Implemented by `createMemoryCaseStore` and
 * `createNeo4jCaseStore` (`@intelgraph/adapters/memory`, `/neo4j`).
 *
 * @example
 * ```ts
 * async function escalate(cases: CaseStore, orgId: string, id: string) {
 *   const c = await cases.get({ orgId, id });
 *   if (!c) return null;
 *   return cases.update({ orgId, id, status: 'in_progress', expectedVersion: c.version });
 * }
 * ```
 */
export interface CaseStore {
  get(ref: CaseRef): Promise<CaseRecord | null>;
  list(query: CaseListQuery): Promise<CasePage>;
  create(input: CaseCreateInput): Promise<CaseRecord>;
  update(input: CaseUpdateInput): Promise<CaseRecord>;
  appendNote(input: CaseNoteInput): Promise<CaseRecord>;
}
