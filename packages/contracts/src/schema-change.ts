import type { JsonValue } from '@intelgraph/core';

/**
 * The kinds of change {@link diffSchemas} reports. JSON Schema and Avro share the list; each kind is
 * documented, with the modes that allow it, in docs/guides/data-contracts.md.
 */
export type SchemaChangeKind =
  // JSON Schema
  | 'type-extended'
  | 'type-narrowed'
  | 'type-changed'
  | 'required-added'
  | 'required-added-with-default'
  | 'required-removed'
  | 'required-removed-with-default'
  | 'property-added'
  | 'property-removed'
  | 'content-model-opened'
  | 'content-model-closed'
  | 'content-model-changed'
  | 'enum-extended'
  | 'enum-narrowed'
  | 'enum-changed'
  | 'bound-loosened'
  | 'bound-tightened'
  | 'bound-changed'
  | 'constraint-added'
  | 'constraint-removed'
  | 'constraint-changed'
  | 'branch-added'
  | 'branch-removed'
  | 'schema-accepts-nothing'
  | 'schema-accepts-anything'
  | 'keyword-changed'
  | 'annotation-changed'
  | 'deprecated'
  // Avro
  | 'field-added'
  | 'field-added-with-default'
  | 'field-removed'
  | 'field-removed-with-default'
  | 'field-type-promoted'
  | 'field-type-demoted'
  | 'field-type-changed'
  | 'field-default-changed'
  | 'enum-symbol-added'
  | 'enum-symbol-removed'
  | 'union-branch-added'
  | 'union-branch-removed'
  | 'name-changed'
  | 'alias-added'
  | 'alias-removed'
  | 'fixed-size-changed';

/**
 * One change between two schemas. `breaks.backward` is true when the new schema cannot read some data
 * the old one accepted (BACKWARD fails); `breaks.forward` when the old schema cannot read some data the
 * new one accepts (FORWARD fails).
 */
export interface SchemaChange {
  kind: SchemaChangeKind;
  /** JSON pointer into the schema documents (the new one; the old one for things only it has). */
  path: string;
  /** A plain sentence describing the change. */
  message: string;
  before?: JsonValue;
  after?: JsonValue;
  breaks: { backward: boolean; forward: boolean };
}
