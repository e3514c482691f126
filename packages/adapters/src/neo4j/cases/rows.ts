// The Neo4j case store's stored maps: the projection statements return and its decoders.
import { type CaseNote, type CaseRecord, type CaseStatus, compareCodePoints } from '@intelgraph/core';
import { member, parseStoredJson, recordOf, stringArrayOrEmpty, stringOf } from '../../narrow.js';
import { LABELS } from '../schema.js';

/** The case projection of a node bound to `c`. */
export const CASE_MAP =
  'c { .id, .orgId, .title, .description, .status, .createdBy, .createdAt, .updatedAt, .version, .notes }';
/** The ids of the same org's entities a case bound to `c` links. */
export const LINKED = `[(c)-[:${LABELS.caseLink}]->(e:${LABELS.entity}) WHERE e.org = c.orgId | e.id]`;

const CASE_STATUS: Record<CaseStatus, true> = { open: true, in_progress: true, closed: true };

function toNote(text: string): CaseNote {
  const n = recordOf(parseStoredJson(text), 'case note');
  return {
    id: stringOf(n.id, 'case note id'),
    author: stringOf(n.author, 'case note author'),
    text: stringOf(n.text, 'case note text'),
    at: stringOf(n.at, 'case note time'),
  };
}

/** Decodes a {@link CASE_MAP} projection and its {@link LINKED} ids. */
export function toCase(value: unknown, entityIds: unknown): CaseRecord {
  const c = recordOf(value, 'case');
  return {
    id: String(c.id),
    orgId: String(c.orgId),
    title: String(c.title),
    description: String(c.description ?? ''),
    status: member(CASE_STATUS, c.status, 'case status'),
    entityIds: [...new Set(stringArrayOrEmpty(entityIds, 'case entity ids'))].sort(compareCodePoints),
    notes: stringArrayOrEmpty(c.notes, 'case notes').map(toNote),
    createdBy: String(c.createdBy),
    createdAt: String(c.createdAt),
    updatedAt: String(c.updatedAt),
    version: Number(c.version),
  };
}
