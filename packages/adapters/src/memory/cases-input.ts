// Boundary parsing and the shared rules of the cases port, used by the memory and Neo4j stores.
import { type CaseRecord, type CaseStatus, IntelGraphError, OrgIdSchema } from '@intelgraph/core';
import { z } from 'zod';
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

/** Parses a {@link CaseRef}. */
export const parseCaseRef = (input: unknown) => parseBoundary(RefSchema, input, 'case reference');
/** Parses a {@link CaseListQuery}. */
export const parseCaseList = (input: unknown) => parseBoundary(ListSchema, input, 'case list query');
/** Parses a {@link CaseCreateInput}. */
export const parseCaseCreate = (input: unknown) => parseBoundary(CreateSchema, input, 'case');
/** Parses a {@link CaseUpdateInput}. */
export const parseCaseUpdate = (input: unknown) => parseBoundary(UpdateSchema, input, 'case update');
/** Parses a {@link CaseNoteInput}. */
export const parseCaseNote = (input: unknown) => parseBoundary(NoteSchema, input, 'case note');

/** A parsed update. */
export type ParsedCaseUpdate = ReturnType<typeof parseCaseUpdate>;

/** Throws `NOT_FOUND` for a case that does not exist in the org. */
export function caseNotFound(orgId: string, id: string): IntelGraphError {
  return new IntelGraphError('NOT_FOUND', `no case "${id}"`, { details: { orgId, id } });
}

/**
 * Checks an update against the case's current state (same rules on every backend): optimistic
 * version, closed cases only reopen, and the entity limit. Returns the entity ids after the update.
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

/** Checks a note can be appended (`INVALID_TRANSITION` on a closed case, `PAYLOAD_TOO_LARGE` when full). */
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
