import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useIdentity } from '../auth/identity-context.js';
import { type ApiClient, ApiError, createApiClient, type Operation } from './client.js';

const ClientContext = createContext<ApiClient | null>(null);

/** Provides the GraphQL client, acting as the identity of the surrounding IdentityProvider. */
export function ApiProvider({ children, endpoint }: { children: ReactNode; endpoint?: string }) {
  const { identity } = useIdentity();
  const identityRef = useRef(identity);
  identityRef.current = identity;
  const client = useMemo(
    () => createApiClient({ endpoint: endpoint ?? '/graphql', identity: () => identityRef.current }),
    [endpoint],
  );
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useApiClient(): ApiClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useApiClient needs an <ApiProvider>');
  return client;
}

function toApiError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
}

export interface QueryState<TData> {
  data: TData | undefined;
  error: ApiError | undefined;
  loading: boolean;
  refetch: () => void;
}

/**
 * Runs a query whenever its variables or the acting user change; stale answers are dropped.
 * `skip` holds the query (for example until a selection is made); a new `refreshKey` runs it again.
 */
export function useQuery<TData, TVariables>(
  op: Operation<TData, TVariables>,
  variables: TVariables,
  options: { skip?: boolean; refreshKey?: number } = {},
): QueryState<TData> {
  const client = useApiClient();
  const { identity } = useIdentity();
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data?: TData; error?: ApiError; loading: boolean }>({
    loading: !options.skip,
  });
  const [tick, setTick] = useState(0);
  const refetch = useCallback(() => setTick((t) => t + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `variables`; the user and tick re-run it on purpose
  useEffect(() => {
    if (options.skip) {
      setState({ loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    client.request(op, JSON.parse(key) as TVariables, controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ error: toApiError(err), loading: false });
      },
    );
    return () => controller.abort();
  }, [client, op, key, options.skip, options.refreshKey, identity.userId, tick]);
  return { data: state.data, error: state.error, loading: state.loading, refetch };
}

export interface MutationState<TData, TVariables> {
  run: (variables: TVariables) => Promise<TData | undefined>;
  data: TData | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reset: () => void;
}

/** A mutation (or an on-demand query): `run` resolves to the data, or to undefined with `error` set. */
export function useMutation<TData, TVariables>(
  op: Operation<TData, TVariables>,
): MutationState<TData, TVariables> {
  const client = useApiClient();
  const [state, setState] = useState<{ data?: TData; error?: ApiError; loading: boolean }>({
    loading: false,
  });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(
    async (variables: TVariables) => {
      setState({ loading: true });
      try {
        const data = await client.request(op, variables);
        if (mounted.current) setState({ data, loading: false });
        return data;
      } catch (err) {
        if (mounted.current) setState({ error: toApiError(err), loading: false });
        return undefined;
      }
    },
    [client, op],
  );
  const reset = useCallback(() => setState({ loading: false }), []);
  return { run, reset, data: state.data, error: state.error, loading: state.loading };
}
