import { makeExecutableSchema } from '@graphql-tools/schema';
import type { ExtensionHost } from '@intelgraph/host';
import type { GraphQLSchema } from 'graphql';
import { describeGovernanceTypes } from './governance-descriptions.js';
import { createModerationResolvers } from './moderation.js';
import { createReplayResolvers } from './replay.js';
import { createResolvers } from './resolvers.js';
import { typeDefs } from './type-defs.js';

/**
 * The executable GraphQL schema (SDL plus resolvers) over a host. Mount it in Apollo Server 5 or any
 * graphql-js server; the context must be `{ actor }` (see {@link GraphQLContext}), resolved by the host's
 * own auth, never from arguments. Add `queryLimitsRule()` to the server's validation rules and
 * `formatGraphQLError` as its error formatter.
 *
 * @example
 * ```ts
 * import { graphql } from 'graphql';
 * import { createGraphQLSchema } from '@intelgraph/server/graphql';
 * const schema = createGraphQLSchema(host);
 * const r = await graphql({ schema, source: 'query { ping }', contextValue: { actor } });
 * ```
 */
export function createGraphQLSchema(host: ExtensionHost): GraphQLSchema {
  return describeGovernanceTypes(
    makeExecutableSchema({
      typeDefs,
      resolvers: [createResolvers(host), createModerationResolvers(host), createReplayResolvers(host)],
    }),
  );
}
