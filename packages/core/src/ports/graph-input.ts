// Boundary parsing for the graph port, shared by every GraphStore (memory, PostgreSQL/PGlite, Neo4j) so all
// backends accept and reject exactly the same inputs, and the rules of search terms, cursors, merges and
// string order live in one place, next to the port.
import { z } from 'zod';
import { IntelGraphError } from '../errors.js';
import type { JsonValue } from '../json.js';
import { findDangerousKeys, parseInput } from '../validation.js';
import type { GraphDirection, GraphEntity, GraphEntityInput, GraphRelationshipInput } from './graph.js';

/** Largest batch of entities (and, separately, relationships) one upsert accepts. */
export const MAX_UPSERT_BATCH = 5_000;
/** Deepest offset a cursor may reach; deeper paging should narrow the query instead. */
export const MAX_OFFSET = 10_000;
/** At most this many query terms are used. */
export const MAX_SEARCH_TERMS = 8;
const MAX_PROPERTIES_CHARS = 65_536;

const PRINTABLE = /^\P{Cc}+$/u;
/** An entity or relationship id. */
export const GraphIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(PRINTABLE, 'must not contain control characters');
/** PascalCase entity type. */
export const EntityTypeSchema = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]{0,63}$/, 'must be PascalCase letters and digits, at most 64');
/** SCREAMING_SNAKE_CASE relationship type. */
export const RelationshipTypeSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be SCREAMING_SNAKE_CASE, at most 64');
const NameSchema = z.string().min(1).max(500);
const PropertiesSchema = z
  .record(z.string().max(200), z.json())
  .refine((p) => JSON.stringify(p).length <= MAX_PROPERTIES_CHARS, {
    message: `properties must serialise to at most ${MAX_PROPERTIES_CHARS} characters`,
  });

const EntityInputSchema = z
  .object({
    id: GraphIdSchema,
    type: EntityTypeSchema,
    name: NameSchema,
    aliases: z.array(NameSchema).max(50).optional(),
    properties: PropertiesSchema.optional(),
  })
  .strict();

const RelationshipInputSchema = z
  .object({
    type: RelationshipTypeSchema,
    from: GraphIdSchema,
    to: GraphIdSchema,
    properties: PropertiesSchema.optional(),
  })
  .strict()
  .refine((r) => r.from !== r.to, { message: 'a relationship cannot start and end at the same entity' });

const UpsertSchema = z
  .object({
    entities: z.array(EntityInputSchema).max(MAX_UPSERT_BATCH).optional(),
    relationships: z.array(RelationshipInputSchema).max(MAX_UPSERT_BATCH).optional(),
  })
  .strict()
  .superRefine((batch, ctx) => {
    const ids = new Set<string>();
    for (const [i, e] of (batch.entities ?? []).entries()) {
      if (ids.has(e.id))
        ctx.addIssue({
          code: 'custom',
          path: ['entities', i, 'id'],
          message: `duplicate entity id "${e.id}"`,
        });
      ids.add(e.id);
    }
    const keys = new Set<string>();
    for (const [i, r] of (batch.relationships ?? []).entries()) {
      const key = graphRelationshipKey(r.from, r.type, r.to);
      if (keys.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['relationships', i],
          message: 'duplicate relationship in batch',
        });
      keys.add(key);
    }
  });

const CursorSchema = z.string().max(64).optional();
const SearchSchema = z
  .object({
    q: z.string().min(1).max(200),
    types: z.array(EntityTypeSchema).min(1).max(20).optional(),
    limit: z.number().int().min(1).max(100).optional(),
    cursor: CursorSchema,
  })
  .strict();

const NeighborsSchema = z
  .object({
    id: GraphIdSchema,
    direction: z.enum(['out', 'in', 'both']).optional(),
    relationshipTypes: z.array(RelationshipTypeSchema).min(1).max(20).optional(),
    limit: z.number().int().min(1).max(100).optional(),
    cursor: CursorSchema,
  })
  .strict();

const MergeSchema = z
  .object({ survivorId: GraphIdSchema, mergedId: GraphIdSchema })
  .strict()
  .refine((m) => m.survivorId !== m.mergedId, {
    message: 'an entity cannot be merged into itself',
    path: ['mergedId'],
  });

const MAX_DEPTH = 32;
const DANGEROUS = new Set(['__proto__', 'constructor', 'prototype']);

/** Allocation-free pre-check; the detailed (slower) scan runs only when something is found. */
function mayBeDangerous(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (mayBeDangerous(item, depth + 1)) return true;
    return false;
  }
  for (const key of Object.keys(value)) {
    if (DANGEROUS.has(key) || mayBeDangerous((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** Rejects prototype keys and hostile nesting before zod (which copies keys) sees the value. */
export function parseBoundary<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const dangerous = mayBeDangerous(input, 0) ? findDangerousKeys(input, MAX_DEPTH) : [];
  if (dangerous.length > 0) {
    throw new IntelGraphError('INVALID_INPUT', `invalid ${what}: ${dangerous[0]?.message ?? 'rejected'}`, {
      details: { issues: dangerous },
    });
  }
  return parseInput(schema, input, what);
}

/** A validated upsert batch with defaults filled in (see {@link parseGraphUpsert}). */
export interface ParsedGraphUpsert {
  entities: Required<GraphEntityInput>[];
  relationships: Required<GraphRelationshipInput>[];
}

/**
 * Parses a `GraphUpsertInput` at a store's boundary: ids, PascalCase entity types, SCREAMING_SNAKE_CASE
 * relationship types, at most 5,000 of each, no duplicates, no prototype keys. Defaults are filled in and
 * aliases de-duplicated. Throws `INVALID_INPUT` with issue paths otherwise.
 *
 * @example
 * ```ts
 * import { parseGraphUpsert } from '@intelgraph/core';
 * const batch = parseGraphUpsert({ entities: [{ id: 'person:alice', type: 'Person', name: 'Alice' }] });
 * batch.entities[0]; // { id: 'person:alice', type: 'Person', name: 'Alice', aliases: [], properties: {} }
 * ```
 */
export function parseGraphUpsert(input: unknown): ParsedGraphUpsert {
  const batch = parseBoundary(UpsertSchema, input, 'graph upsert');
  return {
    entities: (batch.entities ?? []).map((e) => ({
      id: e.id,
      type: e.type,
      name: e.name,
      aliases: [...new Set(e.aliases ?? [])],
      properties: (e.properties ?? {}) as Record<string, JsonValue>,
    })),
    relationships: (batch.relationships ?? []).map((r) => ({
      type: r.type,
      from: r.from,
      to: r.to,
      properties: (r.properties ?? {}) as Record<string, JsonValue>,
    })),
  };
}

/** A validated search with its terms extracted and the cursor decoded (see {@link parseGraphSearch}). */
export interface ParsedGraphSearch {
  terms: string[];
  types: string[] | null;
  limit: number;
  offset: number;
}

/**
 * Parses a `GraphSearchQuery`: its search terms (see {@link graphSearchTerms}), type filter, page size
 * (default 10) and decoded cursor offset. Throws `INVALID_INPUT` for a bad query or one with no letters or digits.
 *
 * @example
 * ```ts
 * import { parseGraphSearch } from '@intelgraph/core';
 * parseGraphSearch({ q: 'Alice Smith' }); // { terms: ['alice', 'smith'], types: null, limit: 10, offset: 0 }
 * ```
 */
export function parseGraphSearch(input: unknown): ParsedGraphSearch {
  const q = parseBoundary(SearchSchema, input, 'graph search');
  const terms = graphSearchTerms(q.q);
  if (terms.length === 0) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'invalid graph search at q: no letters or digits to search for',
      {
        details: { issues: [{ code: 'custom', path: ['q'], message: 'no letters or digits to search for' }] },
      },
    );
  }
  return { terms, types: q.types ?? null, limit: q.limit ?? 10, offset: decodeGraphCursor(q.cursor) };
}

/** A validated neighbours query (see {@link parseGraphNeighbors}). */
export interface ParsedGraphNeighbors {
  id: string;
  direction: GraphDirection;
  relationshipTypes: string[] | null;
  limit: number;
  offset: number;
}

/**
 * Parses a `GraphNeighborsQuery` (direction defaults to `both`, page size to 25); `INVALID_INPUT` otherwise.
 *
 * @example
 * ```ts
 * import { parseGraphNeighbors } from '@intelgraph/core';
 * parseGraphNeighbors({ id: 'person:alice', direction: 'out' }).limit; // 25
 * ```
 */
export function parseGraphNeighbors(input: unknown): ParsedGraphNeighbors {
  const q = parseBoundary(NeighborsSchema, input, 'graph neighbors query');
  return {
    id: q.id,
    direction: q.direction ?? 'both',
    relationshipTypes: q.relationshipTypes ?? null,
    limit: q.limit ?? 25,
    offset: decodeGraphCursor(q.cursor),
  };
}

/**
 * Parses a `GraphMergeInput` (two different entity ids); `INVALID_INPUT` otherwise.
 *
 * @example
 * ```ts
 * import { parseGraphMerge } from '@intelgraph/core';
 * parseGraphMerge({ survivorId: 'person:alice', mergedId: 'person:a-smith' });
 * ```
 */
export function parseGraphMerge(input: unknown): { survivorId: string; mergedId: string } {
  return parseBoundary(MergeSchema, input, 'graph merge');
}

/**
 * Parses an entity id argument (1–200 printable characters); `INVALID_INPUT` otherwise.
 *
 * @example
 * ```ts
 * import { parseGraphEntityId } from '@intelgraph/core';
 * parseGraphEntityId('person:alice'); // 'person:alice'
 * ```
 */
export function parseGraphEntityId(id: unknown): string {
  return parseBoundary(GraphIdSchema, id, 'entity id');
}

const TERM = /[\p{L}\p{N}]+/gu;

/**
 * The searchable words of a text: lower-cased runs of letters and digits. Entities are indexed by the
 * words of their name and aliases, and a query's terms are the words of the query (at most 8).
 *
 * @example
 * ```ts
 * import { graphSearchTerms } from '@intelgraph/core';
 * graphSearchTerms("Alice O'Brien"); // ['alice', 'o', 'brien']
 * ```
 */
export function graphSearchTerms(text: string): string[] {
  const words = text.toLowerCase().match(TERM) ?? [];
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS);
}

/**
 * Every word of an entity's name and aliases, de-duplicated, in order: what a store indexes for search.
 *
 * @example
 * ```ts
 * import { graphEntityWords } from '@intelgraph/core';
 * graphEntityWords('Alice Smith', ['A. Smith']); // ['alice', 'smith', 'a']
 * ```
 */
export function graphEntityWords(name: string, aliases: readonly string[]): string[] {
  const words = new Set<string>();
  for (const text of [name, ...aliases]) for (const w of text.toLowerCase().match(TERM) ?? []) words.add(w);
  return [...words];
}

/**
 * The identity of a relationship: its `(from, type, to)` triple as one map key.
 *
 * @example
 * ```ts
 * import { graphRelationshipKey } from '@intelgraph/core';
 * const seen = new Set([graphRelationshipKey('person:alice', 'WORKS_AT', 'org:acme')]);
 * ```
 */
export function graphRelationshipKey(from: string, type: string, to: string): string {
  return `${from}\u0000${type}\u0000${to}`;
}

/** Cursors are opaque to callers; they carry the offset of the next page. */
export function encodeGraphCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link nextGraphCursor} into an offset (`0` when absent); `INVALID_INPUT` for
 * anything else or an offset deeper than 10,000.
 *
 * @example
 * ```ts
 * import { decodeGraphCursor, nextGraphCursor } from '@intelgraph/core';
 * decodeGraphCursor(nextGraphCursor(0, 10, true) ?? undefined); // 10
 * ```
 */
export function decodeGraphCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^o:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const offset = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(offset) || offset > MAX_OFFSET) {
    throw new IntelGraphError('INVALID_INPUT', 'invalid cursor', {
      details: { issues: [{ code: 'custom', path: ['cursor'], message: 'not a cursor of this query' }] },
    });
  }
  return offset;
}

/**
 * The opaque cursor of the page after `offset + pageSize`, or `null` when there is none (or it would be
 * deeper than 10,000).
 *
 * @example
 * ```ts
 * import { nextGraphCursor } from '@intelgraph/core';
 * const page = { items: rows.slice(0, 10), nextCursor: nextGraphCursor(0, 10, rows.length > 10) };
 * ```
 */
export function nextGraphCursor(offset: number, pageSize: number, hasMore: boolean): string | null {
  if (!hasMore || offset + pageSize > MAX_OFFSET) return null;
  return encodeGraphCursor(offset + pageSize);
}

/**
 * The survivor after absorbing `merged`: the merged name and aliases become aliases (without
 * repeating the survivor's own name), missing property keys are filled, and `mergedFrom` grows.
 * Shared by every graph store so merges give the same entity on every backend.
 *
 * @example
 * ```ts
 * import { mergeGraphEntities } from '@intelgraph/core';
 * const survivor = mergeGraphEntities(alice, aSmith, clock.now().toISOString());
 * survivor.mergedFrom; // [..., 'person:a-smith']
 * ```
 */
export function mergeGraphEntities(survivor: GraphEntity, merged: GraphEntity, at: string): GraphEntity {
  const aliases: string[] = [];
  for (const alias of [...survivor.aliases, merged.name, ...merged.aliases]) {
    if (alias !== survivor.name && !aliases.includes(alias)) aliases.push(alias);
  }
  return {
    ...survivor,
    aliases,
    properties: { ...structuredClone(merged.properties), ...structuredClone(survivor.properties) },
    mergedFrom: [...survivor.mergedFrom, ...merged.mergedFrom, merged.id],
    updatedAt: at,
  };
}

/**
 * Unicode code point order (UTF-16 surrogates fixed up), the order Neo4j sorts strings in; every graph
 * and case store sorts with it so pages come back in the same order on every backend.
 *
 * @example
 * ```ts
 * import { compareCodePoints } from '@intelgraph/core';
 * ['b', '\u{1F600}', '\uFF5E', 'a'].sort(compareCodePoints); // ['a', 'b', '\uFF5E', '\u{1F600}']
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
