import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { IntelGraphError } from '@intelgraph/core';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLOutputType,
  type GraphQLSchema,
  type ValueNode,
  visit,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits.js';

// What `__schema` and `__type` cost on top of the fields they select: answering them walks the schema.
const INTROSPECTION_ROOT_COST: Readonly<Record<string, number>> = { __schema: 2000, __type: 100 };
// The document walk itself is bounded (fragments spread many times multiply it).
const MAX_QUERY_NODES = 20_000;

interface ArgDeclaration {
  name: string;
  defaultValue?: unknown;
}

// The page size a list field will answer: `first`/`limit` as sent; when absent or sent as an explicit
// `null` (graphql then skips the SDL default, and the resolver falls back to that same default), the
// argument's declared default; else `fallback`.
function pageSize(
  args: Record<string, unknown>,
  declared: readonly ArgDeclaration[],
  fallback: number,
): number {
  for (const name of ['first', 'limit']) {
    const decl = declared.find((a) => a.name === name);
    if (!(name in args) && !decl) continue;
    const sent = args[name];
    const n =
      typeof sent === 'number' ? sent : typeof decl?.defaultValue === 'number' ? decl.defaultValue : fallback;
    return Math.max(1, n);
  }
  return fallback;
}

// Types are read by their printed form (`[Plugin!]!`), not by `instanceof`: the schema may come from
// another copy of graphql-js (CJS and ESM builds), where graphql's own predicates would throw.
function shapeOf(schema: GraphQLSchema, type: GraphQLOutputType): { list: boolean; composite: boolean } {
  const printed = String(type);
  const named = schema.getType(printed.replace(/[[\]!]/g, ''));
  const composite =
    named !== undefined && ('getFields' in named || 'getTypes' in named) && !('getValues' in named);
  return { list: printed.startsWith('['), composite };
}

function costEstimator(schema: GraphQLSchema, defaultListSize: number): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const root = INTROSPECTION_ROOT_COST[field.name];
    if (root !== undefined) return root + childComplexity;
    // Introspection's own lists are bounded by the schema; their fields are counted one each.
    if (type.name.startsWith('__')) return 1 + childComplexity;
    const shape = shapeOf(schema, field.type);
    if (shape.list && shape.composite)
      return pageSize(args, field.args, defaultListSize) * (1 + childComplexity);
    // A page object (`auditTrail(first)`, `reviewQueue(first)`): its item lists were costed at
    // `defaultListSize` each, so they scale by the page size asked for.
    if (shape.composite && field.args.some((a) => a.name === 'first' || a.name === 'limit'))
      return 1 + Math.ceil((childComplexity * pageSize(args, field.args, defaultListSize)) / defaultListSize);
    return 1 + childComplexity;
  };
}

/** What {@link queryCost} needs: the schema, the parsed operation and the request's variables. */
export interface QueryCostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string;
  limits?: Partial<QueryLimits>;
}

/**
 * The estimated cost of an operation: every field costs 1; a list of objects costs its page size (`first`
 * or `limit` as sent, defaults from the SDL, else `defaultListSize`) times one item; `__schema` costs 2000
 * and `__type` 100 more. Computed by `graphql-query-complexity` over the request's variables.
 *
 * @example
 * ```ts
 * import { parse } from 'graphql';
 * import { createGraphQLSchema, queryCost } from '@intelgraph/server/graphql';
 * const cost = queryCost({ schema: createGraphQLSchema(host), document: parse('{ catalog(first: 5) { id } }') }); // 10
 * ```
 */
export function queryCost(input: QueryCostInput): number {
  const { defaultListSize } = { ...DEFAULT_QUERY_LIMITS, ...input.limits };
  return getComplexity({
    schema: input.schema,
    query: input.document,
    variables: input.variables ?? {},
    ...(input.operationName ? { operationName: input.operationName } : {}),
    estimators: [costEstimator(input.schema, defaultListSize)],
    maxQueryNodes: MAX_QUERY_NODES,
  });
}

function refusal(message: string, details: Record<string, unknown>): GraphQLError {
  const ours = new IntelGraphError('INVALID_INPUT', message, { details });
  return new GraphQLError(message, {
    originalError: ours,
    extensions: { code: 'INVALID_INPUT', details, http: { status: 400 } },
  });
}

/**
 * An Apollo Server plugin that refuses, before any resolver runs, every operation whose
 * {@link queryCost} exceeds `maxCost`: HTTP 400 with `extensions.code: 'INVALID_INPUT'` and
 * `extensions.details: { reason: 'query_limit', limit: 'maxCost', max, observed }`.
 *
 * @example
 * ```ts
 * import { ApolloServer } from '@apollo/server';
 * import { createGraphQLSchema, queryCostPlugin, queryLimitsRule } from '@intelgraph/server/graphql';
 * const server = new ApolloServer({
 *   schema: createGraphQLSchema(host),
 *   validationRules: [queryLimitsRule()],
 *   plugins: [queryCostPlugin({ maxCost: 2000 })],
 * });
 * ```
 */
const usesVariable = (v: ValueNode): boolean =>
  v.kind === 'Variable' ||
  (v.kind === 'ListValue' && v.values.some(usesVariable)) ||
  (v.kind === 'ObjectValue' && v.fields.some((f) => usesVariable(f.value)));

// Whether a document's cost can depend on its variables: only a page size (`first`/`limit`) or a
// directive (`@include`/`@skip`) given by a variable changes what the estimator counts.
function costDependsOnVariables(document: DocumentNode): boolean {
  let depends = false;
  visit(document, {
    Directive(node) {
      if (node.arguments?.some((a) => usesVariable(a.value))) depends = true;
    },
    Argument(node) {
      if ((node.name.value === 'first' || node.name.value === 'limit') && usesVariable(node.value))
        depends = true;
    },
  });
  return depends;
}

export function queryCostPlugin<T extends BaseContext>(
  limits: Partial<QueryLimits> = {},
): ApolloServerPlugin<T> {
  const { maxCost } = { ...DEFAULT_QUERY_LIMITS, ...limits };
  // Apollo hands the same parsed document for the same query text (its document cache), so a query
  // whose cost cannot depend on its variables is costed once per operation, not once per request.
  const fixedCosts = new WeakMap<DocumentNode, Map<string, number> | null>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          let fixed = fixedCosts.get(document);
          if (fixed === undefined) {
            fixed = costDependsOnVariables(document) ? null : new Map();
            fixedCosts.set(document, fixed);
          }
          const known = fixed?.get(operationName ?? '');
          if (known !== undefined) return;
          let observed: number;
          try {
            observed = queryCost({
              schema,
              document,
              variables: request.variables ?? {},
              ...(operationName ? { operationName } : {}),
              limits,
            });
          } catch (err) {
            const message = err instanceof Error ? err.message : '';
            const tooLarge = /maximum allowed number of nodes/.test(message);
            // Bad variables are reported by execution itself (a GraphQLError, by name: it may come from
            // another copy of graphql-js). Anything else fails closed: what cannot be costed does not run.
            if (
              !tooLarge &&
              typeof err === 'object' &&
              err !== null &&
              'name' in err &&
              err.name === 'GraphQLError'
            )
              return;
            if (!tooLarge) throw err;
            throw refusal('the query is too large to estimate', {
              reason: 'query_limit',
              limit: 'maxCost',
              max: maxCost,
            });
          }
          // Only a cost within the limit is remembered: a refused query is costed (and refused) again.
          if (observed <= maxCost) fixed?.set(operationName ?? '', observed);
          if (observed > maxCost)
            throw refusal(`query cost ${observed} exceeds the limit of ${maxCost}`, {
              reason: 'query_limit',
              limit: 'maxCost',
              max: maxCost,
              observed,
            });
        },
      };
    },
  };
}
