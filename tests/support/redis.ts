import { once } from 'node:events';
import { Cluster, Redis } from 'ioredis';
import { REDIS_URL, runSuffix, serviceMissing } from './env.js';

/** An ioredis client plus a key prefix unique to this test run, and cleanup of every key under it. */
export interface TestRedis {
  client: Redis;
  prefix: string;
  /** Deletes this run's keys and disconnects. */
  close(): Promise<void>;
}

/**
 * Connects to the machine's Redis with a unique key prefix; throws (fails the test) when Redis is down.
 *
 * @example
 * ```ts
 * const r = await redisTestClient();
 * await r.client.set(`${r.prefix}k`, 1);
 * await r.close();
 * ```
 */
export async function redisTestClient(): Promise<TestRedis> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 10_000,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw serviceMissing('Redis', REDIS_URL, err);
  }
  const prefix = `igt:${runSuffix()}:`;
  return {
    client,
    prefix,
    async close() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}

/** Seed nodes of the local Redis Cluster (`scripts/redis-cluster.sh`), overridable with IG_TEST_REDIS_CLUSTER. */
export const REDIS_CLUSTER_NODES = (
  process.env.IG_TEST_REDIS_CLUSTER ?? '127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103'
)
  .split(',')
  .map((hp) => {
    const [host = '127.0.0.1', port = '7101'] = hp.trim().split(':');
    return { host, port: Number(port) };
  });

/** A Redis Cluster client with a run-unique key prefix, and cleanup of every key under it on every master. */
export interface TestRedisCluster {
  client: Cluster;
  prefix: string;
  close(): Promise<void>;
}

/**
 * Connects to the local three-master Redis Cluster with a unique key prefix; throws (fails the test) when
 * the cluster is down or not in state `ok`.
 *
 * @example
 * ```ts
 * const c = await redisClusterTestClient();
 * await c.client.set(`${c.prefix}{k}`, 1);
 * await c.close();
 * ```
 */
export async function redisClusterTestClient(): Promise<TestRedisCluster> {
  const client = new Cluster(REDIS_CLUSTER_NODES, {
    enableOfflineQueue: true,
    clusterRetryStrategy: () => null,
    redisOptions: { connectTimeout: 5_000, maxRetriesPerRequest: 1 },
  });
  client.on('error', () => {});
  const where = REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',');
  try {
    await Promise.race([
      once(client, 'ready'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no ready event within 10 s')), 10_000)),
    ]);
    const info = String(await client.cluster('INFO'));
    if (!info.includes('cluster_state:ok')) throw new Error(`cluster is not ok: ${info.split('\n')[0]}`);
  } catch (err) {
    client.disconnect();
    throw serviceMissing('Redis Cluster (scripts/redis-cluster.sh start)', where, err);
  }
  const prefix = `igt:${runSuffix()}:`;
  return {
    client,
    prefix,
    async close() {
      for (const node of client.nodes('master')) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          for (const key of keys) await node.del(key);
        } while (cursor !== '0');
      }
      client.disconnect();
    },
  };
}
