import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** Limits enforced on every GraphQL operation before it executes. */
export interface QueryLimits {
  /** Deepest selection allowed (introspection fields `__*` are not counted). Default 10. */
  maxDepth: number;
  /** Most fields one operation may select, counting fragments each time they are spread. Default 1000. */
  maxCost: number;
}

/** The defaults of {@link QueryLimits}. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = Object.freeze({ maxDepth: 10, maxCost: 1000 });

interface Measure {
  depth: number;
  cost: number;
}

function measure(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  depth: number,
  seen: Set<string>,
  budget: { cost: number; limit: number },
): Measure {
  let deepest = depth;
  let cost = 0;
  for (const sel of set.selections) {
    if (budget.cost > budget.limit) break; // already over: stop walking hostile documents early
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      cost += 1;
      budget.cost += 1;
      if (sel.selectionSet) {
        const inner = measure(sel.selectionSet, fragments, depth + 1, seen, budget);
        deepest = Math.max(deepest, inner.depth);
        cost += inner.cost;
      }
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(sel.selectionSet, fragments, depth, seen, budget);
      deepest = Math.max(deepest, inner.depth);
      cost += inner.cost;
    } else {
      const name = sel.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue; // unknown or cyclic spreads are reported by graphql's own rules
      seen.add(name);
      const inner = measure(fragment.selectionSet, fragments, depth, seen, budget);
      seen.delete(name);
      deepest = Math.max(deepest, inner.depth);
      cost += inner.cost;
    }
  }
  return { depth: deepest, cost };
}

/**
 * A graphql-js validation rule that rejects operations deeper than `maxDepth` or selecting more than
 * `maxCost` fields. Errors carry `extensions.code: 'INVALID_INPUT'`.
 *
 * @example
 * ```ts
 * import { validate, parse } from 'graphql';
 * import { queryLimitsRule } from '@intelgraph/adapters/graphql';
 * const errors = validate(schema, parse(source), [queryLimitsRule({ maxDepth: 8, maxCost: 500 })]);
 * ```
 */
export function queryLimitsRule(
  limits: Partial<QueryLimits> = {},
): (context: ValidationContext) => ASTVisitor {
  const { maxDepth, maxCost } = { ...DEFAULT_QUERY_LIMITS, ...limits };
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    return {
      OperationDefinition(node) {
        const m = measure(node.selectionSet, fragments, 1, new Set(), { cost: 0, limit: maxCost });
        if (m.depth > maxDepth) {
          context.reportError(
            new GraphQLError(`query depth ${m.depth} exceeds the limit of ${maxDepth}`, {
              nodes: [node],
              extensions: { code: 'INVALID_INPUT', details: { limit: maxDepth, observed: m.depth } },
            }),
          );
        }
        if (m.cost > maxCost) {
          context.reportError(
            new GraphQLError(`query selects more than ${maxCost} fields`, {
              nodes: [node],
              extensions: { code: 'INVALID_INPUT', details: { limit: maxCost } },
            }),
          );
        }
      },
    };
  };
}
