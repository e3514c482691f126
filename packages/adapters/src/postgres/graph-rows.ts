// Shared by the SQL graph and case stores: the namespace rule, row decoding and SQL error mapping.
import { type GraphEntity, type GraphRelationship, IntelGraphError } from '@intelgraph/core';
import { errorCode, jsonObjectOf, parseStoredJson, stringArray, stringOf } from '../narrow.js';

const NAMESPACE = /^[a-z][a-z0-9_]{0,62}$/;

/** Validates a store namespace (same rule as the Neo4j connection's); `INVALID_INPUT` otherwise. */
export function parseNamespace(namespace: string | undefined): string {
  const ns = namespace ?? 'default';
  if (typeof ns !== 'string' || !NAMESPACE.test(ns)) {
    throw new IntelGraphError('INVALID_INPUT', `invalid graph namespace "${String(ns)}"`, {
      details: { namespace: String(ns) },
    });
  }
  return ns;
}

type Row = Record<string, unknown>;

/** A timestamptz column (a `Date` from pg and PGlite, a string otherwise) as ISO-8601. */
export function isoOf(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

/** Entity columns in the order {@link toEntity} reads them, prefixed with `alias.`. */
export const entityColumns = (alias: string): string =>
  ['id', 'type', 'name', 'aliases', 'properties', 'merged_from', 'created_at', 'updated_at']
    .map((c) => `${alias}.${c} AS e_${c}`)
    .join(', ');

/** Decodes the `e_*` columns of {@link entityColumns}. */
export function toEntity(r: Row): GraphEntity {
  return {
    id: String(r.e_id),
    type: String(r.e_type),
    name: stringOf(parseStoredJson(r.e_name), 'entity name'),
    aliases: stringArray(parseStoredJson(r.e_aliases), 'entity aliases'),
    properties: jsonObjectOf(parseStoredJson(r.e_properties), 'entity properties'),
    mergedFrom: stringArray(parseStoredJson(r.e_merged_from), 'entity merged-from ids'),
    createdAt: isoOf(r.e_created_at),
    updatedAt: isoOf(r.e_updated_at),
  };
}

/** Relationship columns in the order {@link toRelationship} reads them, prefixed with `alias.`. */
export const relationshipColumns = (alias: string): string =>
  ['from_id', 'type', 'to_id', 'properties', 'created_at', 'updated_at']
    .map((c) => `${alias}.${c} AS r_${c}`)
    .join(', ');

/** Decodes the `r_*` columns of {@link relationshipColumns}. */
export function toRelationship(r: Row): GraphRelationship {
  return {
    type: String(r.r_type),
    from: String(r.r_from_id),
    to: String(r.r_to_id),
    properties: jsonObjectOf(parseStoredJson(r.r_properties), 'relationship properties'),
    createdAt: isoOf(r.r_created_at),
    updatedAt: isoOf(r.r_updated_at),
  };
}

/** The SQLSTATE of a database error, if it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = errorCode(err);
  return typeof code === 'string' ? code : undefined;
}

/**
 * A foreign-key violation (23503) means an entity vanished between the check and the write (a
 * concurrent merge): reported as the store reports a missing entity, `NOT_FOUND`.
 */
export function entityGone(err: unknown, ids: readonly string[]): unknown {
  if (sqlState(err) !== '23503') return err;
  return new IntelGraphError('NOT_FOUND', `entities do not exist: ${ids.slice(0, 20).join(', ')}`, {
    details: { ids: ids.slice(0, 20) },
    cause: err,
  });
}
