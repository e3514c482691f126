// The Neo4j graph's stored maps: the projections statements return and their decoders.
import type { GraphEntity, GraphRelationship, JsonValue } from '@intelgraph/core';
import { jsonObjectOf, parseStoredJson, recordOf, stringArrayOrEmpty } from '../../narrow.js';

/** The entity projection of a node bound to `n`. */
export const ENTITY_MAP = 'n { .id, .type, .name, .aliases, .props, .mergedFrom, .createdAt, .updatedAt }';
/** The relationship projection of an edge bound to `r`. */
export const REL_MAP =
  'r { .type, .props, .createdAt, .updatedAt, from: startNode(r).id, to: endNode(r).id }';

function parseProps(value: unknown): Record<string, JsonValue> {
  return typeof value === 'string' ? jsonObjectOf(parseStoredJson(value), 'properties') : {};
}

/** Decodes an {@link ENTITY_MAP} projection. */
export function toEntity(value: unknown): GraphEntity {
  const e = recordOf(value, 'entity');
  return {
    id: String(e.id),
    type: String(e.type),
    name: String(e.name),
    aliases: stringArrayOrEmpty(e.aliases, 'entity aliases'),
    properties: parseProps(e.props),
    mergedFrom: stringArrayOrEmpty(e.mergedFrom, 'entity merged-from ids'),
    createdAt: String(e.createdAt),
    updatedAt: String(e.updatedAt),
  };
}

/** Decodes a {@link REL_MAP} projection. */
export function toRelationship(value: unknown): GraphRelationship {
  const r = recordOf(value, 'relationship');
  return {
    type: String(r.type),
    from: String(r.from),
    to: String(r.to),
    properties: parseProps(r.props),
    createdAt: String(r.createdAt),
    updatedAt: String(r.updatedAt),
  };
}
