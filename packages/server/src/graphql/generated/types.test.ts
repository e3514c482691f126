import { createRequire } from 'node:module';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Actor } from '@intelgraph/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { GraphQLContext } from '../index.js';
import { typeDefs } from '../type-defs.js';
import type {
  KillSwitchScope,
  MutationKillSwitchSetArgs,
  QueryContractDiffArgs,
  QueryInstallationsArgs,
  QueryResolvers,
  Resolvers,
  ResolversParentTypes,
} from './types.js';

// The generated resolver types (pnpm codegen, from packages/server/schema.graphql) against the schema
// they come from: argument types name the SDL's arguments, and a resolver map typed `Resolvers`
// receives, at run time, exactly the arguments its types promise.
// graphql-js as @graphql-tools/schema loads it (under vitest a plain import is the ESM build, another realm).
const { graphql }: typeof import('graphql') = createRequire(import.meta.url)('graphql');
/** The function form of a generated resolver (a resolver may also be an object with `resolve`). */
type ResolverFunction<R> = Extract<NonNullable<R>, (...args: never) => unknown>;

const actor: Actor = { userId: 'u1', orgId: 'acme', roles: ['admin'] };

describe('generated GraphQL resolver types', () => {
  it('type each argument as the SDL declares it (required, optional, enums)', () => {
    expectTypeOf<QueryContractDiffArgs>().toEqualTypeOf<{ subject: string; from: number; to: number }>();
    expectTypeOf<MutationKillSwitchSetArgs>().toEqualTypeOf<{
      scope: 'global' | 'org' | 'plugin';
      target?: string | null;
      on: boolean;
      reason: string;
    }>();
    expectTypeOf<KillSwitchScope>().toEqualTypeOf<'global' | 'org' | 'plugin'>();
    // An argument with a default value is optional to the caller but always present in the resolver.
    expectTypeOf<QueryInstallationsArgs>().toEqualTypeOf<{ first?: number | null }>();
    expectTypeOf<Parameters<ResolverFunction<QueryResolvers['installations']>>[1]>()
      .toHaveProperty('first')
      .toEqualTypeOf<number>();
    expectTypeOf<Parameters<ResolverFunction<QueryResolvers['me']>>[2]>().toEqualTypeOf<GraphQLContext>();
  });

  it('let a resolver return a plugin without the fields the Plugin resolvers compute', () => {
    expectTypeOf<ResolversParentTypes['Plugin']>().not.toHaveProperty('versions');
    expectTypeOf<ResolversParentTypes['Plugin']>().toHaveProperty('latestVersion').toEqualTypeOf<string>();
    expectTypeOf<ResolversParentTypes['Installation']>().not.toHaveProperty('contracts');
  });

  it('match the arguments graphql-js passes at run time', async () => {
    const seen: { installations?: { first: number }; killSwitchSet?: MutationKillSwitchSetArgs } = {};
    const resolvers: Resolvers = {
      Query: {
        installations: (_parent, args) => {
          seen.installations = args;
          return [];
        },
      },
      Mutation: {
        killSwitchSet: (_parent, args, ctx) => {
          seen.killSwitchSet = args;
          return {
            scope: args.scope,
            target: args.target ?? null,
            on: args.on,
            reason: args.reason,
            actor: ctx.actor?.userId ?? null,
          };
        },
      },
    };
    const schema = makeExecutableSchema({ typeDefs, resolvers });
    const contextValue: GraphQLContext = { actor };
    const read = await graphql({ schema, source: '{ installations { pluginId } }', contextValue });
    expect(read.errors).toBeUndefined();
    expect(seen.installations).toEqual({ first: 50 });
    const write = await graphql({
      schema,
      source: `mutation ($scope: KillSwitchScope!, $reason: String!) {
        killSwitchSet(scope: $scope, on: true, reason: $reason) { scope target on reason actor }
      }`,
      variableValues: { scope: 'org', reason: 'incident 7' },
      contextValue,
    });
    expect(write.errors).toBeUndefined();
    expect(seen.killSwitchSet).toEqual({ scope: 'org', on: true, reason: 'incident 7' });
    expect(write.data).toEqual({
      killSwitchSet: { scope: 'org', target: null, on: true, reason: 'incident 7', actor: 'u1' },
    });
  });
});
