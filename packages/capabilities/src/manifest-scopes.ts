import type { PluginManifest } from '@intelgraph/core';

type CapabilityObject = PluginManifest['capabilities'];

function scopesOf(caps: CapabilityObject | undefined, into: Set<string>): void {
  if (!caps) return;
  for (const [resource, value] of Object.entries(caps)) {
    if (resource === 'network') {
      if (value && typeof value === 'object' && 'allow' in value) {
        for (const host of value.allow) into.add(`net:${host.toLowerCase()}`);
      }
      continue;
    }
    if (Array.isArray(value)) for (const action of value) into.add(`${resource}:${action}`);
  }
}

/**
 * The scopes a manifest asks for. `capabilities` (`{ graph: ['read'] }` → `graph:read`, `network:
 * { allow: [h] }` → `net:h`, `network: false` → nothing) and `permissions` (as they are) are
 * required; `optionalCapabilities` are optional. Both lists are sorted and free of duplicates, and a
 * scope that is required is never also listed as optional.
 *
 * @example
 * ```ts
 * import { parseManifest } from '@intelgraph/core';
 * import { manifestScopes } from '@intelgraph/capabilities';
 * manifestScopes(parseManifest({
 *   name: 'sample-enricher', version: '0.1.0', entry: 'index.js',
 *   capabilities: { graph: ['read'], cases: ['read', 'write'], network: false },
 *   permissions: ['use:nl2cypher'],
 * }));
 * // { required: ['cases:read', 'cases:write', 'graph:read', 'use:nl2cypher'], optional: [] }
 * ```
 */
export function manifestScopes(
  manifest: Pick<PluginManifest, 'capabilities' | 'optionalCapabilities' | 'permissions'>,
): {
  required: string[];
  optional: string[];
} {
  const required = new Set<string>();
  scopesOf(manifest.capabilities, required);
  for (const p of manifest.permissions ?? []) required.add(p.toLowerCase());
  const optional = new Set<string>();
  scopesOf(manifest.optionalCapabilities, optional);
  for (const r of required) optional.delete(r);
  return { required: [...required].sort(), optional: [...optional].sort() };
}
