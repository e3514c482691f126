// The SQL case store's stored rows: the columns a case is read with and their decoder.
import { type CaseRecord, type CaseStatus, compareCodePoints } from '@intelgraph/core';
import { member, parseStoredJson, stringArrayOrEmpty, stringOf } from '../../narrow.js';
import { isoOf } from '../graph-rows.js';

/** A row as the driver hands it over. */
export type Row = Record<string, unknown>;

/** The case statuses a stored row may hold. */
export const CASE_STATUS: Record<CaseStatus, true> = { open: true, in_progress: true, closed: true };

/** The columns {@link toSummary} reads, of a case row aliased `c`, its linked entity ids included. */
export const CASE_COLUMNS = `c.id, c.org_id, c.title, c.description, c.status, c.created_by, c.created_at,
  c.updated_at, c.version, c.note_count,
  ARRAY(SELECT l.entity_id FROM ig_case_entities l
        WHERE l.ns = c.ns AND l.org_id = c.org_id AND l.case_id = c.id ORDER BY l.entity_id) AS entity_ids`;

/** Decodes a case row read with {@link CASE_COLUMNS}, without its notes. */
export function toSummary(r: Row): Omit<CaseRecord, 'notes'> {
  return {
    id: String(r.id),
    orgId: String(r.org_id),
    title: String(r.title),
    description: stringOf(parseStoredJson(r.description), 'case description'),
    status: member(CASE_STATUS, r.status, 'case status'),
    entityIds: [...stringArrayOrEmpty(r.entity_ids, 'case entity ids')].sort(compareCodePoints),
    createdBy: String(r.created_by),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}
