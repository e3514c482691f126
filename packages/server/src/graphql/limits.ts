import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** Limits enforced on every GraphQL operation before it executes. */
export interface QueryLimits {
  /** Deepest selection allowed (inside `__schema`/`__type` only the fields count, not the depth). Default 10. */
  maxDepth: number;
  /**
   * Most fields one operation may select, introspection fields (`__typename`, `__schema`, ...) included
   * and fragments counted each time they are spread. Default 500.
   */
  maxFields: number;
  /** Most aliased fields one operation may hold (aliases are how one request asks for the same work many times). Default 30. */
  maxAliases: number;
  /**
   * Largest estimated cost (see `queryCost`): every field costs 1; a list field costs its page size
   * (`first`/`limit`, or `defaultListSize`) times the cost of one item; `__schema` costs 2000 and `__type` 100
   * on top of what they select. Default 20000.
   */
  maxCost: number;
  /** The assumed length of a list field without a `first`/`limit` argument, for the cost. Default 10. */
  defaultListSize: number;
  /** Most tokens a document may hold; longer documents are refused while parsing. Default 10000. */
  maxTokens: number;
}

/** The defaults of {@link QueryLimits}. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = Object.freeze({
  maxDepth: 10,
  maxFields: 500,
  maxAliases: 30,
  maxCost: 20_000,
  defaultListSize: 10,
  maxTokens: 10_000,
});

interface Measure {
  depth: number;
  fields: number;
}

interface Budget {
  fields: number;
  aliases: number;
  limit: number;
}

function measure(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  depth: number,
  seen: Set<string>,
  budget: Budget,
  introspection = false,
): Measure {
  let deepest = depth;
  let fields = 0;
  for (const sel of set.selections) {
    if (budget.fields > budget.limit) break; // already over: stop walking hostile documents early
    if (sel.kind === Kind.FIELD) {
      // Introspection fields count like any other: `__typename` a thousand times is a thousand fields.
      fields += 1;
      budget.fields += 1;
      if (sel.alias) budget.aliases += 1;
      if (sel.selectionSet) {
        // Introspection's type references nest `ofType` as deep as the standard query needs; there the
        // fields are counted, not the depth.
        const within = introspection || sel.name.value === '__schema' || sel.name.value === '__type';
        const inner = measure(sel.selectionSet, fragments, within ? depth : depth + 1, seen, budget, within);
        deepest = Math.max(deepest, inner.depth);
        fields += inner.fields;
      }
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(sel.selectionSet, fragments, depth, seen, budget, introspection);
      deepest = Math.max(deepest, inner.depth);
      fields += inner.fields;
    } else {
      const name = sel.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue; // unknown or cyclic spreads are reported by graphql's own rules
      seen.add(name);
      const inner = measure(fragment.selectionSet, fragments, depth, seen, budget, introspection);
      seen.delete(name);
      deepest = Math.max(deepest, inner.depth);
      fields += inner.fields;
    }
  }
  return { depth: deepest, fields };
}

function limitError(
  message: string,
  node: OperationDefinitionNode,
  limit: keyof QueryLimits,
  max: number,
  observed: number,
): GraphQLError {
  return new GraphQLError(message, {
    nodes: [node],
    extensions: { code: 'INVALID_INPUT', details: { reason: 'query_limit', limit, max, observed } },
  });
}

/**
 * A graphql-js validation rule that rejects operations deeper than `maxDepth`, selecting more than
 * `maxFields` fields or holding more than `maxAliases` aliases, introspection fields included. Errors carry
 * `extensions.code: 'INVALID_INPUT'` and `extensions.details: { reason: 'query_limit', limit, max, observed }`.
 * The cost limit needs the operation's variables, so it is checked after validation (`queryCostPlugin`).
 *
 * @example
 * ```ts
 * import { validate, parse } from 'graphql';
 * import { queryLimitsRule } from '@intelgraph/server/graphql';
 * const errors = validate(schema, parse(source), [queryLimitsRule({ maxDepth: 8, maxFields: 300 })]);
 * ```
 */
export function queryLimitsRule(
  limits: Partial<QueryLimits> = {},
): (context: ValidationContext) => ASTVisitor {
  const { maxDepth, maxFields, maxAliases } = { ...DEFAULT_QUERY_LIMITS, ...limits };
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    return {
      OperationDefinition(node) {
        const budget: Budget = { fields: 0, aliases: 0, limit: maxFields };
        const m = measure(node.selectionSet, fragments, 1, new Set(), budget);
        if (m.depth > maxDepth)
          context.reportError(
            limitError(
              `query depth ${m.depth} exceeds the limit of ${maxDepth}`,
              node,
              'maxDepth',
              maxDepth,
              m.depth,
            ),
          );
        if (budget.fields > maxFields)
          context.reportError(
            limitError(
              `query selects more than ${maxFields} fields`,
              node,
              'maxFields',
              maxFields,
              budget.fields,
            ),
          );
        if (budget.aliases > maxAliases)
          context.reportError(
            limitError(
              `query holds ${budget.aliases} aliases; the limit is ${maxAliases}`,
              node,
              'maxAliases',
              maxAliases,
              budget.aliases,
            ),
          );
      },
    };
  };
}
