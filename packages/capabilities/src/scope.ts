import { IntelGraphError } from '@intelgraph/core';
import { z } from 'zod';

const RESOURCE = /^[a-z][a-z0-9-]{0,31}$/;
const ACTION = /^(\*|[a-z0-9][a-z0-9.-]{0,63})$/;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/** A parsed scope string. */
export interface Scope {
  /** The original text, normalised to lower case. */
  text: string;
  /** `graph`, `cases`, `net`, `use`, … */
  resource: string;
  /** `read`, `write`, `*`, or for `net:` scopes the host part (`api.example.com`, `*.example.org`). */
  action: string;
  /** For `net:` scopes: the port, when the scope names one. */
  port?: number;
}

/**
 * Parses a scope string: `resource:action` (`graph:read`, `cases:*`, `use:nl2cypher`) or a network
 * scope `net:<host>[:<port>]` whose host may start with `*.` to match any subdomain.
 * Throws `INVALID_INPUT` for anything else.
 *
 * @example
 * ```ts
 * import { parseScope } from '@intelgraph/capabilities';
 * parseScope('net:*.example.org:443'); // { text, resource: 'net', action: '*.example.org', port: 443 }
 * ```
 */
export function parseScope(text: string): Scope {
  const scope = tryParseScope(text);
  if (!scope) {
    throw new IntelGraphError('INVALID_INPUT', `"${String(text).slice(0, 80)}" is not a scope`, {
      details: { issues: [{ code: 'invalid_scope', path: [], message: 'not a scope string' }] },
    });
  }
  return scope;
}

/**
 * Whether a string is a valid scope (see {@link parseScope}).
 *
 * @example
 * ```ts
 * import { isScope } from '@intelgraph/capabilities';
 * isScope('graph:read'); // true
 * isScope('graph'); // false
 * ```
 */
export function isScope(text: unknown): text is string {
  return typeof text === 'string' && tryParseScope(text) !== null;
}

function tryParseScope(raw: unknown): Scope | null {
  if (typeof raw !== 'string' || raw.length > 300) return null;
  const text = raw.toLowerCase();
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const resource = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (!RESOURCE.test(resource)) return null;
  if (resource === 'net') {
    if (rest === '*') return { text, resource, action: '*' };
    const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(rest);
    if (!m?.[1] || m[1].length > 253 || !HOST.test(m[1])) return null;
    if (m[2] === undefined) return { text, resource, action: m[1] };
    const port = Number(m[2]);
    if (port < 1 || port > 65_535) return null;
    return { text, resource, action: m[1], port };
  }
  return ACTION.test(rest) ? { text, resource, action: rest } : null;
}

/**
 * Zod schema of a scope string (normalised to lower case).
 *
 * @example
 * ```ts
 * import { ScopeSchema } from '@intelgraph/capabilities';
 * ScopeSchema.parse('Graph:Read'); // 'graph:read'
 * ```
 */
export const ScopeSchema = z
  .string()
  .max(300)
  .refine((s) => isScope(s), { message: 'must be a scope such as graph:read or net:api.example.com' })
  .transform((s) => s.toLowerCase());

/**
 * Whether a granted scope covers a required one. Equal scopes cover each other; `res:*` covers every
 * action of `res`; `net:*.example.org` covers any subdomain of example.org (not example.org itself);
 * a network grant without a port covers every port, one with a port only that port.
 *
 * @example
 * ```ts
 * import { scopeCovers } from '@intelgraph/capabilities';
 * scopeCovers('graph:*', 'graph:read'); // true
 * scopeCovers('net:*.example.org', 'net:api.example.org:443'); // true
 * scopeCovers('graph:read', 'graph:write'); // false
 * ```
 */
export function scopeCovers(granted: string, required: string): boolean {
  const g = tryParseScope(granted);
  const r = tryParseScope(required);
  if (!g || !r || g.resource !== r.resource) return false;
  if (g.text === r.text) return true;
  if (g.action === '*') return true;
  if (g.resource !== 'net') return g.action === r.action;
  if (g.port !== undefined && g.port !== r.port) return false;
  if (g.action.startsWith('*.')) return r.action.endsWith(g.action.slice(1)) && r.action !== g.action;
  return g.action === r.action;
}

/**
 * Whether any of `granted` covers `required` (see {@link scopeCovers}).
 *
 * @example
 * ```ts
 * import { anyScopeCovers } from '@intelgraph/capabilities';
 * anyScopeCovers(['graph:read', 'cases:*'], 'cases:write'); // true
 * ```
 */
export function anyScopeCovers(granted: Iterable<string>, required: string): boolean {
  for (const g of granted) if (scopeCovers(g, required)) return true;
  return false;
}
