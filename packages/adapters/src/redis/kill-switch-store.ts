import {
  IntelGraphError,
  type KillSwitchEntry,
  type KillSwitchStore,
  killSwitchKey,
  killSwitchKeysFor,
  type Logger,
  packageTracer,
  reportBackgroundFailure,
} from '@intelgraph/core';
import type { TracerProvider } from '@opentelemetry/api';
import { Cluster } from 'ioredis';
import { isRecord } from '../narrow.js';
import {
  type RedisConnection,
  toStoreError,
  type UnavailablePolicy,
  watchRedisConnection,
} from './client.js';

/** Options of {@link createRedisKillSwitchStore}. */
export interface RedisKillSwitchStoreOptions {
  redis: RedisConnection;
  /** A connection for pub/sub (subscriber mode); default `redis.duplicate()`, closed by `close()`. */
  subscriber?: RedisConnection;
  prefix?: string;
  /**
   * How long the local copy of the flags is trusted while the pub/sub connection is up (default 1000 ms).
   * Every change is also published, which drops the copy on every host at once.
   */
  cacheTtlMs?: number;
  /** `fail-closed` (default) throws `UNAVAILABLE` when the flags cannot be read; `fail-open` lets calls pass. */
  unavailable?: UnavailablePolicy;
  onUnavailable?: (error: IntelGraphError) => void;
  /** Time source of the cache (tests); default `Date.now`. */
  now?: () => number;
  /**
   * Where the pub/sub connection's failures are logged (default: nowhere): the first error of each
   * outage (while it lasts every check reads Redis), a failed SUBSCRIBE, and the reconnection.
   */
  logger?: Logger;
  /** Where the span `intelgraph.store.connection_error` of each logged failure goes (default: global). */
  tracerProvider?: TracerProvider;
}

/** The Redis kill-switch store, plus `close()` for its pub/sub connection. */
export interface RedisKillSwitchStore extends KillSwitchStore {
  close(): Promise<void>;
}

/**
 * Kill-switch flags in one Redis hash with a short local cache, invalidated on every host by pub/sub, so
 * a switch takes effect on the next call everywhere (within the pub/sub latency, milliseconds). While the
 * subscription is down the cache is not used at all, and with Redis down `active` fails closed.
 *
 * @example
 * ```ts
 * import { createFinOps } from '@intelgraph/finops';
 * import { createRedisClient, createRedisKillSwitchStore } from '@intelgraph/adapters/redis';
 * const redis = createRedisClient('redis://127.0.0.1:6379');
 * const killSwitchStore = createRedisKillSwitchStore({ redis, prefix: 'ig:prod:' });
 * const finops = createFinOps({ killSwitchStore });
 * ```
 */
export function createRedisKillSwitchStore(options: RedisKillSwitchStoreOptions): RedisKillSwitchStore {
  const { redis } = options;
  const prefix = options.prefix ?? 'ig:';
  const hashKey = `${prefix}ks`;
  const channel = `${prefix}ks:changed`;
  const ttl = options.cacheTtlMs ?? 1000;
  const now = options.now ?? Date.now;
  const subscriber = options.subscriber ?? (redis instanceof Cluster ? redis.duplicate() : redis.duplicate());
  const ownsSubscriber = options.subscriber === undefined;
  let subscribed = false;
  let generation = 0;
  let cache: { at: number; entries: Map<string, KillSwitchEntry> } | null = null;
  let closed = false;

  const invalidate = () => {
    generation++;
    cache = null;
  };
  const logging = {
    role: 'kill_switch_subscriber',
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
  };
  const subscribe = () => {
    subscriber
      .subscribe(channel)
      .then(() => {
        invalidate();
        subscribed = true;
      })
      .catch((err: unknown) => {
        subscribed = false;
        reportBackgroundFailure(
          packageTracer('@intelgraph/adapters', options.tracerProvider),
          'intelgraph.store.connection_error',
          { 'db.system.name': 'redis', 'intelgraph.store.role': logging.role },
          options.logger,
          'kill-switch subscribe failed; flags are read from Redis on every check',
          toStoreError(err, 'kill switch subscribe'),
          { store: 'redis', role: logging.role },
        );
      });
  };
  // Never unhandled; logged once per outage when there is a logger.
  subscriber.on('error', () => {});
  const unwatch = watchRedisConnection(subscriber, logging);
  subscriber.on('message', (ch: string) => {
    if (ch === channel) invalidate();
  });
  subscriber.on('ready', subscribe);
  for (const ev of ['close', 'end', 'reconnecting']) {
    subscriber.on(ev, () => {
      subscribed = false;
      invalidate();
    });
  }
  if (subscriber.status === 'ready') subscribe();

  const load = async (): Promise<Map<string, KillSwitchEntry>> => {
    if (cache && subscribed && now() - cache.at < ttl) return cache.entries;
    const gen = generation;
    const raw = await redis.hgetall(hashKey);
    const entries = new Map<string, KillSwitchEntry>();
    for (const [k, v] of Object.entries(raw)) entries.set(k, parseEntry(v));
    if (gen === generation && subscribed) cache = { at: now(), entries };
    return entries;
  };

  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err, what);
    }
  };

  return {
    engage: (entry) =>
      guard('kill switch engage', async () => {
        await redis
          .multi()
          .hset(hashKey, killSwitchKey(entry.target), JSON.stringify(entry))
          .publish(channel, '1')
          .exec();
        invalidate();
      }),
    release: (target) =>
      guard('kill switch release', async () => {
        const res = await redis.multi().hdel(hashKey, killSwitchKey(target)).publish(channel, '1').exec();
        invalidate();
        return Number(res?.[0]?.[1] ?? 0) > 0;
      }),
    list: () =>
      guard('kill switch list', async () => [...(await load()).values()].map((e) => structuredClone(e))),
    async active(call) {
      try {
        const entries = await load();
        const out: KillSwitchEntry[] = [];
        for (const key of killSwitchKeysFor(call)) {
          const e = entries.get(key);
          if (e) out.push(structuredClone(e));
        }
        return out;
      } catch (err) {
        const e = toStoreError(err, 'kill switch check');
        if (options.unavailable === 'fail-open' && e.code === 'UNAVAILABLE') {
          options.onUnavailable?.(e);
          return [];
        }
        throw e;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      subscribed = false;
      unwatch();
      if (ownsSubscriber) subscriber.disconnect();
      else await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}

const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** Whether a parsed hash value is a KillSwitchEntry (extra fields allowed, as stored). */
function isKillSwitchEntry(v: unknown): v is KillSwitchEntry {
  return (
    isRecord(v) &&
    isRecord(v.target) &&
    optionalString(v.target.org) &&
    optionalString(v.target.plugin) &&
    typeof v.reason === 'string' &&
    typeof v.engagedBy === 'string' &&
    typeof v.engagedAt === 'string'
  );
}

/** A stored switch; one of another shape means the hash was written behind the store's back. */
function parseEntry(text: string): KillSwitchEntry {
  const entry: unknown = JSON.parse(text);
  if (isKillSwitchEntry(entry)) return entry;
  throw new IntelGraphError('INTERNAL', 'unexpected stored kill-switch entry');
}
