export { formatGraphQLError } from './errors.js';
export type { QueryLimits } from './limits.js';
export { DEFAULT_QUERY_LIMITS, queryLimitsRule } from './limits.js';
export { createModerationResolvers, moderationTypeDefs } from './moderation.js';
export type { GraphQLContext } from './resolvers.js';
export { createResolvers } from './resolvers.js';
export { createGraphQLSchema } from './schema.js';
export { platformTypeDefs, typeDefs } from './type-defs.js';
