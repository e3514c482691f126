import { type Actor, IntelGraphError } from '@intelgraph/core';
import type { CatalogStats, ExtensionHost } from '@intelgraph/host';
import type { PluginDetail } from '@intelgraph/marketplace';
import DataLoader from 'dataloader';

/**
 * The per-request DataLoaders of the GraphQL resolvers. Every per-plugin lookup a query makes (detail,
 * versions, input schema, install count, reviews) goes through them, so a plugin asked for by many
 * fields or aliases of one request is read once, and the reads of one tick are issued together.
 * Created once per request: the cache never outlives it, so no request sees another's reads.
 */
export interface GraphQLLoaders {
  detail: DataLoader<string, PluginDetail>;
  stats: DataLoader<string, CatalogStats>;
}

function perKey<V>(load: (id: string) => Promise<V>) {
  // A failing key fails alone: DataLoader takes an Error in its slot as that key's rejection.
  return (ids: readonly string[]) =>
    Promise.all(
      ids.map((id) =>
        load(id).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
      ),
    );
}

/**
 * Creates a request's loaders over a host, reading as the request's actor (an anonymous request's
 * loads fail with `FORBIDDEN`).
 *
 * @example
 * ```ts
 * import { createGraphQLLoaders } from '@intelgraph/server/graphql';
 * const context = { actor, loaders: createGraphQLLoaders(host, actor) }; // one per request
 * ```
 */
export function createGraphQLLoaders(host: ExtensionHost, actor: Actor | null): GraphQLLoaders {
  const signedIn = (): Actor => {
    if (!actor)
      throw new IntelGraphError('FORBIDDEN', 'sign in: this operation needs an authenticated actor');
    return actor;
  };
  return {
    detail: new DataLoader(perKey(async (id) => host.plugins.get(signedIn(), id))),
    stats: new DataLoader(perKey(async (id) => host.plugins.stats(signedIn(), id))),
  };
}
