import type { ExtensionHost } from '@intelgraph/host';
import type { PluginDetail } from '@intelgraph/marketplace';
import DataLoader from 'dataloader';

type CatalogStats = Awaited<ReturnType<ExtensionHost['catalogStats']>>;

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
 * Creates a request's loaders over a host.
 *
 * @example
 * ```ts
 * import { createGraphQLLoaders } from '@intelgraph/server/graphql';
 * const context = { actor, loaders: createGraphQLLoaders(host) }; // one per request
 * ```
 */
export function createGraphQLLoaders(host: ExtensionHost): GraphQLLoaders {
  return {
    detail: new DataLoader(perKey((id) => host.marketplace.detail(id))),
    stats: new DataLoader(perKey((id) => host.catalogStats(id))),
  };
}
