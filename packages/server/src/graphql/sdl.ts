import { buildSchema, printSchema } from 'graphql';
import { describeGovernanceTypes } from './governance-descriptions.js';
import { typeDefs } from './type-defs.js';

/**
 * The GraphQL API's SDL as one printed document, every type and field described: what the package ships
 * as `@intelgraph/server/schema.graphql` and what `docs/reference/graphql.md` is generated from.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { printGraphQLSchema } from '@intelgraph/server/graphql';
 * writeFileSync('schema.graphql', printGraphQLSchema()); // e.g. for codegen
 * ```
 */
export function printGraphQLSchema(): string {
  return `${printSchema(describeGovernanceTypes(buildSchema(typeDefs.join('\n'))))}\n`;
}
