export type { LuaScript, RedisConnection, RedisConnectionLogging, UnavailablePolicy } from './client.js';
export {
  createRedisClient,
  createRedisClusterClient,
  FAIL_FAST_REDIS_OPTIONS,
  luaScript,
  toStoreError,
  watchRedisConnection,
} from './client.js';
export type { RedisKillSwitchStore, RedisKillSwitchStoreOptions } from './kill-switch-store.js';
export { createRedisKillSwitchStore } from './kill-switch-store.js';
export type { RedisQuotaStoreOptions } from './quota-store.js';
export { createRedisQuotaStore } from './quota-store.js';
export { createRedisRateLimiter } from './rate-limiter.js';
