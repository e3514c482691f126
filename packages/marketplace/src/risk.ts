import type { CatalogRiskLevel } from '@intelgraph/core';

const READ_ACTIONS = new Set(['read', 'list', 'search', 'view']);
const HIGH_ACTIONS = new Set(['write', 'delete', 'admin', 'export', 'create', 'update', 'merge', '*']);

/**
 * Derives a risk level from scopes:
 * - `high`: any network scope (`net:…`) or any write-like action (`write`, `delete`, `admin`,
 *   `export`, `create`, `update`, `merge`, `*`);
 * - `medium`: any other action that is not a read (for example `use:nl2cypher`);
 * - `low`: only reads (`read`, `list`, `search`, `view`), or nothing at all.
 *
 * @example
 * ```ts
 * import { riskLevel } from '@intelgraph/marketplace';
 * riskLevel(['graph:read']); // 'low'
 * riskLevel(['graph:read', 'use:nl2cypher']); // 'medium'
 * riskLevel(['cases:write']); // 'high'
 * riskLevel(['net:api.example.com']); // 'high'
 * ```
 */
export function riskLevel(scopes: readonly string[]): CatalogRiskLevel {
  let level: CatalogRiskLevel = 'low';
  for (const scope of scopes) {
    const colon = scope.indexOf(':');
    const resource = scope.slice(0, colon);
    const action = scope.slice(colon + 1);
    if (resource === 'net' || HIGH_ACTIONS.has(action)) return 'high';
    if (!READ_ACTIONS.has(action)) level = 'medium';
  }
  return level;
}
