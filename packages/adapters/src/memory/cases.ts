import {
  type CasePage,
  type CaseRecord,
  type CaseStore,
  type Clock,
  caseNotFound,
  checkCaseNote,
  checkCaseUpdate,
  compareCodePoints,
  decodeGraphCursor,
  type IdSource,
  IntelGraphError,
  nextGraphCursor,
  parseCaseCreate,
  parseCaseList,
  parseCaseNote,
  parseCaseRef,
  parseCaseUpdate,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import type { MemoryGraphStore } from './graph.js';

/**
 * Options of {@link createMemoryCaseStore}.
 *
 * @example
 * ```ts
 * const cases = createMemoryCaseStore({ graph, clock: createManualClock(), ids: sequentialIds() });
 * ```
 */
export interface MemoryCaseStoreOptions {
  /** The graph whose entities cases link; merges there re-point links here. */
  graph: MemoryGraphStore;
  clock?: Clock;
  /** Case and note ids (default: random UUIDs). */
  ids?: IdSource;
}

/**
 * The in-memory {@link CaseStore}, linked to a memory graph: linking checks the entity exists in the
 * case's org's graph, and a merge in an org's graph re-points that org's case links to the survivor in
 * the same synchronous step (as the Neo4j store does in the merge transaction).
 *
 * @example
 * ```ts
 * import { createMemoryCaseStore, createMemoryGraphStore } from '@intelgraph/adapters/memory';
 * const graph = createMemoryGraphStore();
 * const cases = createMemoryCaseStore({ graph });
 * await graph.forOrg('acme').upsert({ entities: [{ id: 'p1', type: 'Person', name: 'Alice' }] });
 * const c = await cases.create({ orgId: 'acme', title: 'Fraud ring', createdBy: 'alice', entityIds: ['p1'] });
 * await cases.appendNote({ orgId: 'acme', id: c.id, author: 'alice', text: 'Opened from alert 42' });
 * ```
 */
export function createMemoryCaseStore(options: MemoryCaseStoreOptions): CaseStore {
  const { graph } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const cases = new Map<string, CaseRecord>();
  const now = () => new Date(clock.now()).toISOString();

  graph.onMerge(({ orgId, mergedId, survivorId, at }) => {
    for (const c of cases.values()) {
      if (c.orgId !== orgId || !c.entityIds.includes(mergedId)) continue;
      c.entityIds = sortedUnique(c.entityIds.map((id) => (id === mergedId ? survivorId : id)));
      c.version += 1;
      c.updatedAt = at;
    }
  });

  const requireEntities = (orgId: string, entityIds: readonly string[]) => {
    const missing = entityIds.filter((id) => !graph.hasEntity(orgId, id));
    if (missing.length > 0) {
      throw new IntelGraphError('NOT_FOUND', `no entities ${missing.slice(0, 20).join(', ')}`, {
        details: { ids: missing.slice(0, 20) },
      });
    }
  };
  const find = (orgId: string, id: string): CaseRecord => {
    const c = cases.get(id);
    if (!c || c.orgId !== orgId) throw caseNotFound(orgId, id);
    return c;
  };

  return {
    async get(ref) {
      const { orgId, id } = parseCaseRef(ref);
      const c = cases.get(id);
      return c && c.orgId === orgId ? structuredClone(c) : null;
    },

    async list(query): Promise<CasePage> {
      const q = parseCaseList(query);
      const offset = decodeGraphCursor(q.cursor);
      const limit = q.limit ?? 20;
      const matching = [...cases.values()].filter(
        (c) =>
          c.orgId === q.orgId &&
          (q.status === undefined || c.status === q.status) &&
          (q.entityId === undefined || c.entityIds.includes(q.entityId)),
      );
      matching.sort((a, b) => compareCodePoints(b.createdAt, a.createdAt) || compareCodePoints(b.id, a.id));
      const page = matching.slice(offset, offset + limit);
      return {
        items: page.map(({ notes, ...rest }) => ({ ...structuredClone(rest), noteCount: notes.length })),
        nextCursor: nextGraphCursor(offset, limit, matching.length > offset + limit),
        rows: page.length,
      };
    },

    async create(input) {
      const c = parseCaseCreate(input);
      const entityIds = sortedUnique(c.entityIds ?? []);
      const at = now();
      const id = ids.next('case'); // drawn before validation, as the Neo4j store does
      requireEntities(c.orgId, entityIds);
      const record: CaseRecord = {
        id,
        orgId: c.orgId,
        title: c.title,
        description: c.description ?? '',
        status: 'open',
        entityIds,
        notes: [],
        createdBy: c.createdBy,
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      if (cases.has(record.id)) throw new IntelGraphError('CONFLICT', `case "${record.id}" already exists`);
      cases.set(record.id, record);
      return structuredClone(record);
    },

    async update(input) {
      const u = parseCaseUpdate(input);
      const c = find(u.orgId, u.id);
      const entityIds = sortedUnique(checkCaseUpdate(c, u));
      requireEntities(u.orgId, u.linkEntityIds ?? []);
      if (u.title !== undefined) c.title = u.title;
      if (u.description !== undefined) c.description = u.description;
      if (u.status !== undefined) c.status = u.status;
      c.entityIds = entityIds;
      c.version += 1;
      c.updatedAt = now();
      return structuredClone(c);
    },

    async appendNote(input) {
      const n = parseCaseNote(input);
      const at = now();
      const noteId = ids.next('note');
      const c = find(n.orgId, n.id);
      checkCaseNote({ id: c.id, status: c.status, noteCount: c.notes.length });
      c.notes.push({ id: noteId, author: n.author, text: n.text, at });
      c.version += 1;
      c.updatedAt = at;
      return structuredClone(c);
    },
  };
}

function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort(compareCodePoints);
}
