import { createHash } from 'node:crypto';
import {
  backoffDelay,
  IntelGraphError,
  type Logger,
  logEvent,
  packageTracer,
  reportBackgroundFailure,
} from '@intelgraph/core';
import type { TracerProvider } from '@opentelemetry/api';
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/**
 * A connection the Redis stores accept: a single node (`Redis`) or a Redis Cluster (`Cluster`). Every
 * store keeps the keys that one call touches in one hash slot (`{org}` or `{key}` tags), so each Lua
 * script runs on one node of a cluster.
 *
 * @example
 * ```ts
 * const conn: RedisConnection = createRedisClusterClient([{ host: '127.0.0.1', port: 7101 }]);
 * ```
 */
export type RedisConnection = Redis | Cluster;

/** What a Redis store does when Redis cannot be reached. */
export type UnavailablePolicy = 'fail-closed' | 'fail-open';

/** Reconnect backoff: 100 ms, doubled per try, capped at 2 s (core's backoff formula, no jitter). */
const reconnectDelay = (times: number): number =>
  backoffDelay({ attempt: times, baseMs: 50, maxMs: 2000, jitter: 0 });

/**
 * ioredis options that fail fast while disconnected (no offline queue, one retry per command, a command
 * timeout) and reconnect forever with capped backoff, so a Redis outage surfaces at once as `UNAVAILABLE`
 * and recovery needs no restart.
 *
 * @example
 * ```ts
 * const redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, db: 2 });
 * ```
 */
export const FAIL_FAST_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: reconnectDelay,
});

/**
 * Where a Redis connection logs its outages: `logger` (default: nowhere) and the provider of the span
 * `intelgraph.store.connection_error` each logged failure runs in (default: the global provider).
 *
 * @example
 * ```ts
 * const watch: RedisConnectionLogging = { logger: pino(), role: 'quotas' };
 * ```
 */
export interface RedisConnectionLogging {
  logger?: Logger;
  tracerProvider?: TracerProvider;
  /** Names the connection in log lines and spans (`intelgraph.store.role`); default `client`. */
  role?: string;
}

/**
 * Logs a connection's outages: the first error after it was ready (ioredis emits one per reconnect
 * attempt; the rest of the outage is not repeated) at `error`, in a span of its own, and its return
 * at `info`. Returns a function that detaches the listeners.
 *
 * @example
 * ```ts
 * import { watchRedisConnection } from '@intelgraph/adapters/redis';
 * const stop = watchRedisConnection(redis, { logger: pino(), role: 'quotas' });
 * ```
 */
export function watchRedisConnection(client: RedisConnection, logging: RedisConnectionLogging): () => void {
  const { logger } = logging;
  if (!logger) return () => {};
  const tracer = packageTracer('@intelgraph/adapters', logging.tracerProvider);
  const role = logging.role ?? 'client';
  let down = false;
  const onError = (err: Error) => {
    if (down) return;
    down = true;
    reportBackgroundFailure(
      tracer,
      'intelgraph.store.connection_error',
      { 'db.system.name': 'redis', 'intelgraph.store.role': role },
      logger,
      'Redis connection failed; reconnecting',
      toStoreError(err, role),
      { store: 'redis', role },
    );
  };
  const onReady = () => {
    if (!down) return;
    down = false;
    logEvent(logger, 'info', 'Redis reconnected', { store: 'redis', role });
  };
  client.on('error', onError);
  client.on('ready', onReady);
  return () => {
    client.off('error', onError);
    client.off('ready', onReady);
  };
}

/**
 * Creates an ioredis client with {@link FAIL_FAST_REDIS_OPTIONS} (overridable). Connection errors are
 * also reported through the stores as `UNAVAILABLE`; pass `logger` to log each outage (see
 * {@link watchRedisConnection}) or `onError` to see every error.
 *
 * @example
 * ```ts
 * import { createRedisClient } from '@intelgraph/adapters/redis';
 * const redis = createRedisClient('redis://127.0.0.1:6379', { logger: pino() });
 * ```
 */
export function createRedisClient(
  url: string,
  options: RedisOptions & { onError?: (error: Error) => void } & Omit<RedisConnectionLogging, 'role'> = {},
): Redis {
  const { onError, logger, tracerProvider, ...rest } = options;
  const client = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, ...rest });
  // Without a listener, ioredis prints every reconnection error; the stores surface them as UNAVAILABLE.
  client.on('error', (err: Error) => onError?.(err));
  watchRedisConnection(client, {
    ...(logger ? { logger } : {}),
    ...(tracerProvider ? { tracerProvider } : {}),
  });
  return client;
}

/**
 * Creates an ioredis `Cluster` client whose node connections fail fast like {@link createRedisClient}'s
 * (no offline queue, a command timeout, capped reconnect backoff). Give it one or more seed nodes; it
 * discovers the rest. Pass it to any Redis store in place of a single-node client.
 *
 * @example
 * ```ts
 * import { createRedisClusterClient, createRedisQuotaStore } from '@intelgraph/adapters/redis';
 * const redis = createRedisClusterClient([{ host: '127.0.0.1', port: 7101 }]);
 * const quotaStore = createRedisQuotaStore({ redis, prefix: 'ig:prod:' });
 * ```
 */
export function createRedisClusterClient(
  nodes: ClusterNode[],
  options: ClusterOptions & { onError?: (error: Error) => void } & Omit<RedisConnectionLogging, 'role'> = {},
): Cluster {
  const { onError, redisOptions, logger, tracerProvider, ...rest } = options;
  const client = new Cluster(nodes, {
    enableOfflineQueue: false,
    maxRedirections: 16,
    clusterRetryStrategy: reconnectDelay,
    ...rest,
    redisOptions: {
      connectTimeout: FAIL_FAST_REDIS_OPTIONS.connectTimeout,
      commandTimeout: FAIL_FAST_REDIS_OPTIONS.commandTimeout,
      maxRetriesPerRequest: FAIL_FAST_REDIS_OPTIONS.maxRetriesPerRequest,
      ...redisOptions,
    },
  });
  client.on('error', (err: Error) => onError?.(err));
  watchRedisConnection(client, {
    role: 'cluster',
    ...(logger ? { logger } : {}),
    ...(tracerProvider ? { tracerProvider } : {}),
  });
  return client;
}

const isReplyError = (err: unknown) => err instanceof Error && err.name === 'ReplyError';

/**
 * Maps a failed Redis call: server replies (script errors) become `INTERNAL`, anything about the
 * connection becomes `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * try { await redis.get(key); } catch (err) { throw toStoreError(err, 'get'); } // UNAVAILABLE when disconnected
 * ```
 */
export function toStoreError(err: unknown, what: string): IntelGraphError {
  if (err instanceof IntelGraphError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isReplyError(err))
    return new IntelGraphError('INTERNAL', `Redis ${what} failed: ${message}`, { cause: err });
  return new IntelGraphError('UNAVAILABLE', `Redis is unavailable (${what}): ${message}`, { cause: err });
}

/** A Lua script run with EVALSHA, falling back to EVAL once when the server lost its script cache. */
export interface LuaScript {
  run(redis: RedisConnection, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/**
 * Wraps a Lua source; the client is not modified (no `defineCommand`).
 *
 * @example
 * ```ts
 * const script = luaScript("return redis.call('INCR', KEYS[1])");
 * await script.run(redis, ['counter'], []);
 * ```
 */
export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}
