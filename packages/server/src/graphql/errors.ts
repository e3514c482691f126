import { HTTP_STATUS_BY_CODE, type IntelGraphError, isIntelGraphError } from '@intelgraph/core';
import type { GraphQLFormattedError } from 'graphql';

function innerOf(e: object, key: 'originalError' | 'cause'): unknown {
  return key in e ? Reflect.get(e, key) : undefined;
}

function findIntelGraphError(error: unknown): IntelGraphError | null {
  let e: unknown = error;
  for (let i = 0; i < 5 && e; i++) {
    if (isIntelGraphError(e)) return e;
    e = typeof e === 'object' ? (innerOf(e, 'originalError') ?? innerOf(e, 'cause')) : undefined;
  }
  return null;
}

/**
 * Apollo/graphql-js `formatError`: every error carries `extensions.code` equal to our error code (plus
 * `details` and the HTTP status the REST layer would use). Errors that are not ours become `INTERNAL`
 * with a generic message, so no host detail (paths, SQL, stack) reaches the client. GraphQL's own
 * validation errors become `INVALID_INPUT`.
 *
 * @example
 * ```ts
 * import { ApolloServer } from '@apollo/server';
 * import { createGraphQLSchema, formatGraphQLError } from '@intelgraph/server/graphql';
 * const server = new ApolloServer({ schema: createGraphQLSchema(host), formatError: formatGraphQLError });
 * ```
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const ours = findIntelGraphError(error);
  if (ours) {
    return {
      message: ours.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: {
        code: ours.code,
        details: ours.details,
        http: { status: HTTP_STATUS_BY_CODE[ours.code] },
      },
    };
  }
  const code = formatted.extensions?.code;
  const isClientError =
    typeof code === 'string' &&
    [
      'GRAPHQL_PARSE_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
      'BAD_USER_INPUT',
      'INVALID_INPUT',
      'BAD_REQUEST',
      'PERSISTED_QUERY_NOT_FOUND',
    ].includes(code);
  if (isClientError) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'INVALID_INPUT' } };
  }
  return {
    message: 'internal error',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL' },
  };
}
