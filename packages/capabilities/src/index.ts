export type {
  GrantKind,
  GrantQuery,
  GrantRecord,
  GrantRemoval,
  GrantStore,
  HostCallRecord,
} from '@intelgraph/core';
export type { CapabilityBrokerOptions, GrantChange, GrantInput, RevokeInput } from './broker.js';
export { CapabilityBroker } from './broker.js';
export type { EgressGuard, EgressGuardOptions, EgressTarget, HostResolver } from './egress.js';
export { createEgressGuard, isNonPublicAddress } from './egress.js';
export type {
  AnyHostMethodSpec,
  HostApi,
  HostApiDefinition,
  HostCallOptions,
  HostMethodCall,
  HostMethodContext,
  HostMethodSpec,
  ScopedHostApi,
  ScopeHostApiOptions,
} from './host-api.js';
export { defineHostApi, hostMethod, scopeHostApi } from './host-api.js';
export { manifestScopes } from './manifest-scopes.js';
export { createMemoryGrantStore } from './memory-grant-store.js';
export type { NetFetchInput, NetFetchOptions, NetFetchResult } from './net-fetch.js';
export { netFetchMethod } from './net-fetch.js';
export type { Scope } from './scope.js';
export { anyScopeCovers, isScope, parseScope, ScopeSchema, scopeCovers } from './scope.js';
