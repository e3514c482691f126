import { Redis } from 'ioredis';
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
