// The plugin author kit: what plugin code imports (`@intelgraph/marketplace/plugin`). It has no runtime
// dependencies, so esbuild bundles it into the plugin at almost no cost; everything else is types.

/** A JSON value, as crossing the sandbox boundary. */
export type PluginJson = null | boolean | number | string | PluginJson[] | { [key: string]: PluginJson };

/** An entity as the host's graph API returns it. */
export interface GraphEntity {
  id: string;
  type: string;
  label: string;
  properties: Record<string, PluginJson>;
}

/** A relationship between two entities. */
export interface GraphRelationship {
  id: string;
  type: string;
  from: string;
  to: string;
}

/** A case as the host's cases API returns it. */
export interface CaseSummary {
  id: string;
  title: string;
  status: string;
  entityIds: string[];
  updatedAt: string;
}

/**
 * The host API methods each scope makes available. A host exposes these names (it may add more);
 * `definePlugin` gives a plugin exactly the part its manifest's scopes allow.
 */
export interface PluginApiByScope {
  'graph:read': {
    graph: {
      search(input: { q: string; limit?: number }): Promise<GraphEntity[]>;
      neighbors(input: {
        id: string;
        limit?: number;
      }): Promise<{ entities: GraphEntity[]; relationships: GraphRelationship[] }>;
    };
  };
  'graph:write': {
    graph: {
      upsertEntity(input: Omit<GraphEntity, 'id'> & { id?: string }): Promise<GraphEntity>;
    };
  };
  'cases:read': {
    cases: {
      get(input: { id: string }): Promise<CaseSummary>;
      list(input: { q?: string; limit?: number }): Promise<CaseSummary[]>;
    };
  };
  'cases:write': {
    cases: {
      addNote(input: { caseId: string; text: string }): Promise<{ id: string }>;
    };
  };
  'net:*': {
    net: {
      fetch(input: {
        url: string;
        method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
        headers?: Record<string, string>;
        body?: string;
      }): Promise<{ status: number; headers: Record<string, string>; body: string }>;
    };
  };
  'use:nl2cypher': {
    nl2cypher: {
      translate(input: { question: string }): Promise<{ cypher: string; params: Record<string, PluginJson> }>;
    };
  };
}

type Str<T> = T extends string ? T : never;

/** Scopes named by a capabilities object: `{ graph: ['read'] }` → `'graph:read'`, `network: { allow }` → `'net:*'`. */
export type CapabilityScopes<C> = C extends object
  ? {
      [R in keyof C & string]: R extends 'network'
        ? C[R] extends { allow: readonly unknown[] }
          ? 'net:*'
          : never
        : C[R] extends readonly (infer A)[]
          ? `${R}:${Str<A>}`
          : never;
    }[keyof C & string]
  : never;

/** The scopes a manifest requires. */
export type RequiredScopesOf<M> = M extends { capabilities?: infer C; permissions?: infer P }
  ? CapabilityScopes<C> | (P extends readonly (infer S)[] ? Str<S> : never)
  : never;

/** The scopes a manifest offers as optional. */
export type OptionalScopesOf<M> = M extends { optionalCapabilities?: infer C } ? CapabilityScopes<C> : never;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type ApiFor<S> = [S] extends [never]
  ? unknown
  : UnionToIntersection<S extends keyof PluginApiByScope ? PluginApiByScope[S] : never>;
type Maybe<T> = { [K in keyof T]?: Partial<T[K]> };

/**
 * The API a plugin sees for a manifest: the methods of its required scopes, and the methods of its
 * optional scopes as possibly absent (an org may not have granted them).
 */
export type PluginApi<M> = ApiFor<RequiredScopesOf<M>> &
  Maybe<ApiFor<Exclude<OptionalScopesOf<M>, RequiredScopesOf<M>>>>;

type NetworkLike = false | { readonly allow: readonly string[] };
/** A capabilities block as written in TypeScript: resource → actions, plus `network`. */
export interface CapabilitiesLike {
  readonly network?: NetworkLike;
  readonly [resource: string]: readonly string[] | NetworkLike | undefined;
}

/**
 * The manifest as a plugin writes it in TypeScript (validated against the core manifest schema when
 * the plugin is built; see `PluginManifestSchema` in `@intelgraph/core`).
 */
export interface PluginManifestLike {
  readonly name: string;
  readonly version: string;
  readonly entry: string;
  readonly description?: string;
  readonly publisher?: string;
  readonly tags?: readonly string[];
  readonly capabilities?: CapabilitiesLike;
  readonly optionalCapabilities?: CapabilitiesLike;
  readonly permissions?: readonly string[];
  readonly reasons?: Readonly<Record<string, string>>;
  readonly budgets?: {
    readonly ms?: number;
    readonly cpuMs?: number;
    readonly memoryMB?: number;
    readonly rows?: number;
    readonly outputKB?: number;
    readonly logKB?: number;
  };
  readonly inputSchema?: { readonly subject: string; readonly version?: number };
  readonly outputSchema?: { readonly subject: string; readonly version?: number };
}

/** A plugin definition: its manifest and its `run`. */
export interface PluginDefinition<M extends PluginManifestLike, I, O> {
  manifest: M;
  run(input: I, api: PluginApi<M>): O | Promise<O>;
}

/** The input type of a defined plugin. */
export type PluginInput<P> = P extends PluginDefinition<PluginManifestLike, infer I, unknown> ? I : never;
/** The output type of a defined plugin. */
export type PluginOutput<P> =
  P extends PluginDefinition<PluginManifestLike, never, infer O> ? Awaited<O> : never;

/**
 * Defines a plugin. The manifest is kept as a literal type, so `run`'s `api` has exactly the methods
 * its scopes allow (a plugin with `capabilities: { graph: ['read'] }` sees `api.graph.search`, and
 * `api.cases` does not type-check). Annotate `input` with the type of the plugin's input contract; the
 * return type is the output contract. `intelgraph-plugin build` bundles the default export.
 *
 * @example
 * ```ts
 * import { definePlugin } from '@intelgraph/marketplace/plugin';
 *
 * export default definePlugin({
 *   manifest: { name: 'hello-graph', version: '1.0.0', entry: 'index.js', capabilities: { graph: ['read'] } },
 *   async run(input: { q: string }, api) {
 *     const hits = await api.graph.search({ q: input.q, limit: 5 });
 *     return { count: hits.length };
 *   },
 * });
 * ```
 */
export function definePlugin<const M extends PluginManifestLike, I, O>(
  definition: PluginDefinition<M, I, O>,
): PluginDefinition<M, I, O> {
  return definition;
}
