export type { GrantKind, GrantQuery, GrantRecord, GrantRemoval, GrantStore } from '@intelgraph/core';
export type { CapabilityBrokerOptions, GrantInput, RevokeInput } from './broker.js';
export { CapabilityBroker } from './broker.js';
export { manifestScopes } from './manifest-scopes.js';
export { createMemoryGrantStore } from './memory-grant-store.js';
export type { Scope } from './scope.js';
export { anyScopeCovers, isScope, parseScope, ScopeSchema, scopeCovers } from './scope.js';
