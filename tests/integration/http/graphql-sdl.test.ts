import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printGraphQLSchema } from '@intelgraph/server/graphql';
import { describe, expect, it } from 'vitest';
import { renderGraphQLReference, undescribed } from './graphql-reference.js';

// The published SDL file and its reference page never drift from the type definitions.
const ROOT = join(import.meta.dirname, '..', '..', '..');
const SDL_FILE = join(ROOT, 'packages', 'server', 'schema.graphql');
const REFERENCE = join(ROOT, 'docs', 'reference', 'graphql.md');
const update = process.env.UPDATE_GRAPHQL_REFERENCE === '1';

describe('the published GraphQL SDL', () => {
  const sdl = printGraphQLSchema();

  it('describes every type, field and enum value', () => {
    expect(undescribed(sdl)).toEqual([]);
  });

  it('is what packages/server/schema.graphql holds', () => {
    if (update) writeFileSync(SDL_FILE, sdl);
    expect(readFileSync(SDL_FILE, 'utf8')).toBe(sdl);
  });

  it('is what docs/reference/graphql.md documents', () => {
    const page = renderGraphQLReference(sdl);
    if (update) writeFileSync(REFERENCE, page);
    expect(readFileSync(REFERENCE, 'utf8')).toBe(page);
  });
});
