// Boundary parsing and the shared rules of the cases port, used by every CaseStore (memory, PostgreSQL/PGlite,
// Neo4j) so all backends accept, reject and transition cases the same way.
import { z } from 'zod';
import { OrgIdSchema } from '../actor.js';
import { IntelGraphError } from '../errors.js';
import type { CaseRecord, CaseStatus } from './cases.js';
import { GraphIdSchema, parseBoundary } from './graph-input.js';

/** Most entities one case links. */
export const MAX_CASE_ENTITIES = 500;
/** Most notes one case holds. */
export const MAX_CASE_NOTES = 1_000;

const PRINTABLE_LINE = /^\P{Cc}+$/u;
const CaseIdSchema = z.string().min(1).max(200).regex(PRINTABLE_LINE, 'must not contain control characters');
const UserIdSchema = z.string().min(1).max(200).regex(PRINTABLE_LINE, 'must not contain control characters');
const TitleSchema = z.string().trim().min(1).max(200).regex(PRINTABLE_LINE, 'must be one line');
const DescriptionSchema = z.string().max(10_000);
const StatusSchema = z.enum(['open', 'in_progress', 'closed']);
const EntityIdsSchema = z.array(GraphIdSchema).max(MAX_CASE_ENTITIES);

const RefSchema = z.object({ orgId: OrgIdSchema, id: CaseIdSchema }).strict();
const ListSchema = z
  .object({
    orgId: OrgIdSchema,
    status: StatusSchema.optional(),
    entityId: GraphIdSchema.optional(),
    limit: z.number().int().min(1).max(100).optional(),
    cursor: z.string().max(64).optional(),
  })
  .strict();
const CreateSchema = z
  .object({
    orgId: OrgIdSchema,
    title: TitleSchema,
    description: DescriptionSchema.optional(),
    createdBy: UserIdSchema,
    entityIds: EntityIdsSchema.optional(),
  })
  .strict();
const UpdateSchema = z
  .object({
    orgId: OrgIdSchema,
    id: CaseIdSchema,
    expectedVersion: z.number().int().min(1).optional(),
    title: TitleSchema.optional(),
    description: DescriptionSchema.optional(),
    status: StatusSchema.optional(),
    linkEntityIds: EntityIdsSchema.optional(),
    unlinkEntityIds: EntityIdsSchema.optional(),
  })
  .strict();
const NoteSchema = z
  .object({
    orgId: OrgIdSchema,
    id: CaseIdSchema,
    author: UserIdSchema,
    text: z.string().trim().min(1).max(10_000),
  })
  .strict();

/**
 * Parses a `CaseRef` (`{ orgId, id }`); `INVALID_INPUT` with issue paths otherwise.
 *
 * @example
 * ```ts
 * import { parseCaseRef } from '@intelgraph/core';
 * const { orgId, id } = parseCaseRef({ orgId: 'org-acme', id: 'case-1' });
 * ```
 */
export const parseCaseRef = (input: unknown) => parseBoundary(RefSchema, input, 'case reference');
/**
 * Parses a `CaseListQuery` (org, optional status, entity, page size and cursor); `INVALID_INPUT` otherwise.
 *
 * @example
 * ```ts
 * import { parseCaseList } from '@intelgraph/core';
 * parseCaseList({ orgId: 'org-acme', status: 'open', limit: 20 });
 * ```
 */
export const parseCaseList = (input: unknown) => parseBoundary(ListSchema, input, 'case list query');
/**
 * Parses a `CaseCreateInput` (one-line title of at most 200 characters, at most 500 entity ids);
 * `INVALID_INPUT` otherwise.
 *
 * @example
 * ```ts
 * import { parseCaseCreate } from '@intelgraph/core';
 * parseCaseCreate({ orgId: 'org-acme', title: 'Wire fraud', createdBy: 'alice', entityIds: ['person:bob'] });
 * ```
 */
export const parseCaseCreate = (input: unknown) => parseBoundary(CreateSchema, input, 'case');
/**
 * Parses a `CaseUpdateInput`; check it against the stored case with {@link checkCaseUpdate}.
 *
 * @example
 * ```ts
 * import { parseCaseUpdate } from '@intelgraph/core';
 * parseCaseUpdate({ orgId: 'org-acme', id: 'case-1', expectedVersion: 3, status: 'closed' });
 * ```
 */
export const parseCaseUpdate = (input: unknown) => parseBoundary(UpdateSchema, input, 'case update');
/**
 * Parses a `CaseNoteInput`; check it against the stored case with {@link checkCaseNote}.
 *
 * @example
 * ```ts
 * import { parseCaseNote } from '@intelgraph/core';
 * parseCaseNote({ orgId: 'org-acme', id: 'case-1', author: 'alice', text: 'Called the bank.' });
 * ```
 */
export const parseCaseNote = (input: unknown) => parseBoundary(NoteSchema, input, 'case note');

/** A parsed update (see {@link parseCaseUpdate}). */
export type ParsedCaseUpdate = ReturnType<typeof parseCaseUpdate>;

/**
 * The `NOT_FOUND` error for a case that does not exist in the org (for the store to throw).
 *
 * @example
 * ```ts
 * import { caseNotFound } from '@intelgraph/core';
 * if (!row) throw caseNotFound(orgId, id);
 * ```
 */
export function caseNotFound(orgId: string, id: string): IntelGraphError {
  return new IntelGraphError('NOT_FOUND', `no case "${id}"`, { details: { orgId, id } });
}

/**
 * Checks an update against the case's current state (same rules on every backend): optimistic
 * version (`CONFLICT`), closed cases only reopen (`INVALID_TRANSITION`), and the entity limit
 * (`PAYLOAD_TOO_LARGE`). Returns the entity ids after the update.
 *
 * @example
 * ```ts
 * import { checkCaseUpdate, parseCaseUpdate } from '@intelgraph/core';
 * const update = parseCaseUpdate({ orgId: 'org-acme', id: 'case-1', linkEntityIds: ['person:bob'] });
 * const entityIds = checkCaseUpdate({ status: 'open', version: 1, entityIds: [] }, update); // ['person:bob']
 * ```
 */
export function checkCaseUpdate(
  current: { status: CaseStatus; version: number; entityIds: string[] },
  update: ParsedCaseUpdate,
): string[] {
  if (update.expectedVersion !== undefined && update.expectedVersion !== current.version) {
    throw new IntelGraphError(
      'CONFLICT',
      `case "${update.id}" changed: version ${current.version}, expected ${update.expectedVersion}`,
      {
        details: { id: update.id, version: current.version, expectedVersion: update.expectedVersion },
      },
    );
  }
  if (current.status === 'closed' && (update.status === undefined || update.status === 'closed')) {
    throw new IntelGraphError('INVALID_TRANSITION', `case "${update.id}" is closed; reopen it first`, {
      details: { id: update.id, status: current.status },
    });
  }
  const ids = new Set(current.entityIds);
  for (const id of update.linkEntityIds ?? []) ids.add(id);
  for (const id of update.unlinkEntityIds ?? []) ids.delete(id);
  if (ids.size > MAX_CASE_ENTITIES) {
    throw new IntelGraphError('PAYLOAD_TOO_LARGE', `a case links at most ${MAX_CASE_ENTITIES} entities`, {
      details: { id: update.id, limit: MAX_CASE_ENTITIES, observed: ids.size },
    });
  }
  return [...ids];
}

/**
 * Checks a note can be appended (`INVALID_TRANSITION` on a closed case, `PAYLOAD_TOO_LARGE` when full).
 *
 * @example
 * ```ts
 * import { checkCaseNote } from '@intelgraph/core';
 * checkCaseNote({ id: 'case-1', status: 'open', noteCount: 3 }); // passes
 * ```
 */
export function checkCaseNote(current: Pick<CaseRecord, 'id' | 'status'> & { noteCount: number }): void {
  if (current.status === 'closed') {
    throw new IntelGraphError('INVALID_TRANSITION', `case "${current.id}" is closed; reopen it first`, {
      details: { id: current.id, status: current.status },
    });
  }
  if (current.noteCount >= MAX_CASE_NOTES) {
    throw new IntelGraphError('PAYLOAD_TOO_LARGE', `a case holds at most ${MAX_CASE_NOTES} notes`, {
      details: { id: current.id, limit: MAX_CASE_NOTES },
    });
  }
}
