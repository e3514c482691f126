import type { Identity } from '../auth/users.js';

/**
 * A GraphQL operation whose result and variables are typed. The text is a constant: every value
 * travels as a variable, never spliced into the query.
 */
export interface Operation<TData, TVariables> {
  readonly query: string;
  /** Phantom field that carries the types; never set. */
  readonly __types?: (variables: TVariables) => TData;
}

/** Declares a typed operation. */
export function operation<TData, TVariables = Record<string, never>>(
  query: string,
): Operation<TData, TVariables> {
  return { query };
}

/** An error the API answered with (its `extensions.code`), or `UNAVAILABLE` when it could not be reached. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

interface GraphQLErrorShape {
  message?: unknown;
  extensions?: { code?: unknown; details?: unknown };
}

interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: GraphQLErrorShape[];
}

/** Sends typed operations to the GraphQL endpoint as the current identity. */
export interface ApiClient {
  request<TData, TVariables>(
    op: Operation<TData, TVariables>,
    variables: TVariables,
    signal?: AbortSignal,
  ): Promise<TData>;
}

export interface ApiClientOptions {
  endpoint?: string;
  /** Read on every request, so switching users needs no new client. */
  identity: () => Identity;
  fetch?: typeof globalThis.fetch;
}

/** Headers of the development-mode identity, as the demo server reads them. */
export function identityHeaders(identity: Identity): Record<string, string> {
  return {
    'x-intelgraph-user': identity.userId,
    'x-intelgraph-org': identity.orgId,
    'x-intelgraph-roles': identity.roles.join(','),
  };
}

/** Turns a GraphQL response body into its data or the first error, with the error's code. */
export function readResponse<TData>(status: number, body: unknown): TData {
  const res = (typeof body === 'object' && body !== null ? body : {}) as GraphQLResponse<TData>;
  const first = Array.isArray(res.errors) ? res.errors[0] : undefined;
  if (first) {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL';
    const message = typeof first.message === 'string' ? first.message : 'The request failed';
    throw new ApiError(code, message, first.extensions?.details);
  }
  if (res.data === undefined || res.data === null) {
    throw new ApiError(
      status >= 500 ? 'UNAVAILABLE' : 'INTERNAL',
      `The server answered ${status} without data`,
    );
  }
  return res.data;
}

/** Creates the app's GraphQL client: POST `{ query, variables }` as JSON. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const endpoint = options.endpoint ?? '/graphql';
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  return {
    async request(op, variables, signal) {
      let response: Response;
      try {
        response = await doFetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...identityHeaders(options.identity()),
          },
          body: JSON.stringify({ query: op.query, variables }),
          signal: signal ?? null,
        });
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new ApiError('UNAVAILABLE', 'The server could not be reached');
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new ApiError(
          response.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL',
          `The server answered ${response.status} with no JSON`,
        );
      }
      return readResponse(response.status, body);
    },
  };
}
