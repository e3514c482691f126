export type { Neo4jCaseStoreOptions } from './case-store.js';
export { createNeo4jCaseStore } from './case-store.js';
export type { Neo4jConnection, Neo4jConnectionOptions, Neo4jCounters, Neo4jTx } from './connection.js';
export { createNeo4jConnection, toIntelGraphNeo4jError } from './connection.js';
export type { Neo4jGraphStoreOptions } from './graph-store.js';
export { createNeo4jGraphStore } from './graph-store.js';
export { orgKeyOf, PRE_TENANCY_ORG } from './schema.js';
