import { randomUUID } from 'node:crypto';
import {
  defineHostApi,
  type HostApi,
  type HostMethodContext,
  hostMethod,
  type NetFetchOptions,
  netFetchMethod,
} from '@intelgraph/capabilities';
import type {
  CaseRecord,
  CaseStore,
  CaseSummary,
  GraphEntity,
  GraphRelationship,
  GraphStore,
  JsonValue,
} from '@intelgraph/core';
import { IntelGraphError } from '@intelgraph/core';
import { z } from 'zod';

// The plugin-facing API is the published contract of `@intelgraph/marketplace/plugin` (PluginApiByScope):
// small, stable shapes mapped from the storage ports, so a plugin never depends on how a backend stores data.

/** An entity as plugins see it. */
interface PluginEntity {
  id: string;
  type: string;
  label: string;
  properties: Record<string, JsonValue>;
}

const entityView = (e: GraphEntity): PluginEntity => ({
  id: e.id,
  type: e.type,
  label: e.name,
  properties: e.aliases.length > 0 ? { ...e.properties, aliases: e.aliases } : e.properties,
});

const relationshipView = (r: GraphRelationship) => ({
  id: `${r.from}-${r.type}->${r.to}`,
  type: r.type,
  from: r.from,
  to: r.to,
});

const caseView = (c: CaseRecord | CaseSummary) => ({
  id: c.id,
  title: c.title,
  status: c.status,
  entityIds: c.entityIds,
  updatedAt: c.updatedAt,
});

function touch(ctx: HostMethodContext, ids: Iterable<string>): void {
  const t = ctx.context.touch;
  if (typeof t === 'function') for (const id of ids) t(id);
}

/** The run's org, set by the host from the authenticated actor; a call without one is refused. */
function orgOf(ctx: HostMethodContext): string {
  const org = ctx.context.orgId;
  if (typeof org !== 'string') throw new IntelGraphError('INTERNAL', 'host call without the run org');
  return org;
}
const pluginOf = (ctx: HostMethodContext): string => `plugin:${String(ctx.context.pluginId)}`;

function limitOf(limit: number | undefined, ctx: HostMethodContext, fallback: number): number {
  // Push the remaining rows budget down as a limit, so a store never reads more than the plugin may see.
  return Math.max(0, Math.min(Math.floor(limit ?? fallback), ctx.rowsRemaining, 1_000));
}

// The inputs plugins send, parsed by the capability layer before a handler runs (a failure is
// INVALID_INPUT with the issues' paths). They check shapes and types only; the stores' own boundary
// checks still decide what an id, a type name or a search text may contain. Unknown keys are dropped.
const Limit = z.number().optional();
const SearchInput = z.object({ q: z.string(), limit: Limit });
const NeighborsInput = z.object({ id: z.string(), limit: Limit });
const UpsertEntityInput = z.object({
  id: z.string().optional(),
  type: z.string(),
  label: z.string(),
  properties: z.record(z.string(), z.json()).optional(),
});
const CaseGetInput = z.object({ id: z.string() });
const CaseListInput = z.object({ q: z.string().optional(), limit: Limit }).optional();
const AddNoteInput = z.object({ caseId: z.string(), text: z.string() });

/** Options of {@link createPlatformHostApi}. */
export interface PlatformHostApiOptions {
  graph: GraphStore;
  cases: CaseStore;
  /** Egress rules of `net.fetch` (private, loopback and link-local targets are refused by default). */
  net?: NetFetchOptions;
}

/**
 * The host API plugins see, exactly the surface `@intelgraph/marketplace/plugin` publishes:
 * - `graph:read` → `graph.search({ q, limit })`, `graph.neighbors({ id, limit })` (the calling org's graph);
 * - `graph:write` → `graph.upsertEntity({ id?, type, label, properties })` (into the calling org's graph);
 * - `cases:read` → `cases.get({ id })`, `cases.list({ q, limit })` (the calling org's cases only);
 * - `cases:write` → `cases.addNote({ caseId, text })`;
 * - `net:<host>` → `net.fetch({ url, method, headers, body })` through the egress guard.
 * Every entity a call returns is recorded as touched, for the run's citation chips; list sizes are
 * capped by the rows budget left.
 *
 * @example
 * ```ts
 * import { createPlatformHostApi } from '@intelgraph/host';
 * const hostApi = createPlatformHostApi({ graph, cases });
 * ```
 */
export function createPlatformHostApi(options: PlatformHostApiOptions): HostApi {
  const { graph, cases } = options;
  // Every graph call goes through the run's org view: a plugin sees and writes its own org's graph only.
  const graphOf = (ctx: HostMethodContext) => graph.forOrg(orgOf(ctx));
  return defineHostApi({
    graph: {
      search: hostMethod({
        scope: 'graph:read',
        description: 'Full-text search over entity labels and aliases',
        input: SearchInput,
        handler: async (i, ctx) => {
          const limit = limitOf(i.limit, ctx, 10);
          if (limit === 0) return [];
          const page = await graphOf(ctx).search({ q: i.q, limit });
          touch(
            ctx,
            page.items.map((h) => h.entity.id),
          );
          return page.items.map((h) => entityView(h.entity));
        },
      }),
      neighbors: hostMethod({
        scope: 'graph:read',
        description: 'Entities linked to one entity, with the relationships',
        input: NeighborsInput,
        handler: async (i, ctx) => {
          const limit = limitOf(i.limit, ctx, 25);
          if (limit === 0) return { entities: [], relationships: [] };
          const page = await graphOf(ctx).neighbors({ id: i.id, direction: 'both', limit });
          touch(
            ctx,
            page.items.map((n) => n.entity.id),
          );
          return {
            entities: page.items.map((n) => entityView(n.entity)),
            relationships: page.items.map((n) => relationshipView(n.relationship)),
          };
        },
        rows: (r: { entities: unknown[] }) => r.entities.length,
      }),
      upsertEntity: hostMethod({
        scope: 'graph:write',
        description: 'Create or update one entity',
        input: UpsertEntityInput,
        handler: async (i, ctx) => {
          const id = i.id ?? `ent_${randomUUID()}`;
          const orgGraph = graphOf(ctx);
          await orgGraph.upsert({
            entities: [{ id, type: i.type, name: i.label, properties: i.properties ?? {} }],
          });
          const stored = await orgGraph.getEntity(id);
          if (!stored)
            throw new IntelGraphError('INTERNAL', 'the entity was written but cannot be read back');
          touch(ctx, [id]);
          return entityView(stored);
        },
      }),
    },
    cases: {
      get: hostMethod({
        scope: 'cases:read',
        description: 'One case of the calling org',
        input: CaseGetInput,
        handler: async (i, ctx) => {
          const c = await cases.get({ orgId: orgOf(ctx), id: i.id });
          if (!c) throw new IntelGraphError('NOT_FOUND', `no case ${i.id}`);
          touch(ctx, c.entityIds);
          return caseView(c);
        },
      }),
      list: hostMethod({
        scope: 'cases:read',
        description: 'Cases of the calling org, optionally matching a text',
        input: CaseListInput,
        handler: async (input, ctx) => {
          const i = input ?? {};
          const limit = limitOf(i.limit, ctx, 25);
          if (limit === 0) return [];
          const q = i.q?.trim().toLowerCase() ?? '';
          const out: ReturnType<typeof caseView>[] = [];
          let cursor: string | undefined;
          // The port pages by org, at most 100 cases a page; text matching is done here, reading at most
          // 20 pages.
          for (let pages = 0; pages < 20 && out.length < limit; pages++) {
            const page = await cases.list({ orgId: orgOf(ctx), limit: 100, ...(cursor ? { cursor } : {}) });
            for (const c of page.items) {
              if (q === '' || c.title.toLowerCase().includes(q) || c.description.toLowerCase().includes(q))
                out.push(caseView(c));
              if (out.length >= limit) break;
            }
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          return out;
        },
      }),
      addNote: hostMethod({
        scope: 'cases:write',
        description: 'Append a note to a case of the calling org',
        input: AddNoteInput,
        handler: async (i, ctx) => {
          const updated = await cases.appendNote({
            orgId: orgOf(ctx),
            id: i.caseId,
            text: i.text,
            author: pluginOf(ctx),
          });
          return { id: updated.notes.at(-1)?.id ?? '' };
        },
        rows: () => 1,
      }),
    },
    net: { fetch: netFetchMethod(options.net ?? {}) },
  });
}
