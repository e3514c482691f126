// Boundary parsing for the graph port, shared by the memory and Neo4j stores so both accept and
// reject exactly the same inputs, and the rules of search terms and cursors live in one place.
import {
  findDangerousKeys,
  type GraphDirection,
  type GraphEntityInput,
  type GraphRelationshipInput,
  IntelGraphError,
  type JsonValue,
  parseInput,
} from '@intelgraph/core';
import { z } from 'zod';

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
      const key = relationshipKey(r.from, r.type, r.to);
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

/** A validated upsert batch with defaults filled in. */
export interface ParsedUpsert {
  entities: Required<GraphEntityInput>[];
  relationships: Required<GraphRelationshipInput>[];
}

/** Parses a {@link GraphUpsertInput}; `INVALID_INPUT` with paths otherwise. */
export function parseUpsert(input: unknown): ParsedUpsert {
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

/** A validated search with its terms extracted and the cursor decoded. */
export interface ParsedSearch {
  terms: string[];
  types: string[] | null;
  limit: number;
  offset: number;
}

/** Parses a {@link GraphSearchQuery}. */
export function parseSearch(input: unknown): ParsedSearch {
  const q = parseBoundary(SearchSchema, input, 'graph search');
  const terms = searchTerms(q.q);
  if (terms.length === 0) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'invalid graph search at q: no letters or digits to search for',
      {
        details: { issues: [{ code: 'custom', path: ['q'], message: 'no letters or digits to search for' }] },
      },
    );
  }
  return { terms, types: q.types ?? null, limit: q.limit ?? 10, offset: decodeCursor(q.cursor) };
}

/** A validated neighbours query. */
export interface ParsedNeighbors {
  id: string;
  direction: GraphDirection;
  relationshipTypes: string[] | null;
  limit: number;
  offset: number;
}

/** Parses a {@link GraphNeighborsQuery}. */
export function parseNeighbors(input: unknown): ParsedNeighbors {
  const q = parseBoundary(NeighborsSchema, input, 'graph neighbors query');
  return {
    id: q.id,
    direction: q.direction ?? 'both',
    relationshipTypes: q.relationshipTypes ?? null,
    limit: q.limit ?? 25,
    offset: decodeCursor(q.cursor),
  };
}

/** Parses a {@link GraphMergeInput}. */
export function parseMerge(input: unknown): { survivorId: string; mergedId: string } {
  return parseBoundary(MergeSchema, input, 'graph merge');
}

/** Parses an entity id argument. */
export function parseEntityId(id: unknown): string {
  return parseBoundary(GraphIdSchema, id, 'entity id');
}

const TERM = /[\p{L}\p{N}]+/gu;

/**
 * The searchable words of a text: lower-cased runs of letters and digits. Entities are indexed by the
 * words of their name and aliases, and a query's terms are the words of the query (at most 8).
 */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().match(TERM) ?? [];
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS);
}

/** Every word of an entity's name and aliases, de-duplicated, in order. */
export function entityWords(name: string, aliases: readonly string[]): string[] {
  const words = new Set<string>();
  for (const text of [name, ...aliases]) for (const w of text.toLowerCase().match(TERM) ?? []) words.add(w);
  return [...words];
}

/** The identity of a relationship: its `(from, type, to)` triple. */
export function relationshipKey(from: string, type: string, to: string): string {
  return `${from}\u0000${type}\u0000${to}`;
}

/** Cursors are opaque to callers; they carry the offset of the next page. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; `INVALID_INPUT` for anything else. */
export function decodeCursor(cursor: string | undefined): number {
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

/** The cursor of the page after `offset + pageSize`, or `null` when there is none. */
export function nextCursor(offset: number, pageSize: number, hasMore: boolean): string | null {
  if (!hasMore || offset + pageSize > MAX_OFFSET) return null;
  return encodeCursor(offset + pageSize);
}
