import { IntelGraphError, type JsonValue } from '@intelgraph/core';
import { z } from 'zod';
import { type Policy, validatePolicy } from './policy.js';

/**
 * The request kind whose approval changes a governance policy (its applier is built in).
 *
 * @example
 * ```ts
 * import { POLICY_CHANGE_KIND } from '@intelgraph/governance';
 * await gov.request(admin, { kind: POLICY_CHANGE_KIND, payload: { kind: 'export', params: { threshold: 0.9 } }, reason: 'tighten export' });
 * ```
 */
export const POLICY_CHANGE_KIND = 'policy_change';

/**
 * Payload of a `policy_change` request: either new values for some of a policy's `params` (merged
 * into the current ones; only params the policy declares, each with its current JSON type; `null`
 * removes one), or a whole replacement policy of the same kind (which may declare other params).
 */
export type PolicyChangePayload =
  | { kind: string; params: Record<string, JsonValue> }
  | { kind: string; policy: Record<string, JsonValue> };

/**
 * Zod schema of a {@link PolicyChangePayload}.
 *
 * @example
 * ```ts
 * import { PolicyChangePayloadSchema } from '@intelgraph/governance';
 * PolicyChangePayloadSchema.parse({ kind: 'export', params: { threshold: 0.9 } });
 * ```
 */
export const PolicyChangePayloadSchema = z.union([
  z
    .object({
      kind: z.string().min(1).max(64),
      params: z
        .record(z.string().min(1).max(64), z.json())
        .refine((p) => Object.keys(p).length > 0, 'no params given'),
    })
    .strict(),
  z.object({ kind: z.string().min(1).max(64), policy: z.record(z.string(), z.json()) }).strict(),
]);

/** The JSON type of a param value, as {@link policyParamsSchema} keeps it. */
type ParamType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';

function paramTypeOf(v: JsonValue): ParamType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as 'string' | 'number' | 'boolean' | 'object';
}

function schemaOfType(t: ParamType): z.ZodType {
  switch (t) {
    case 'string':
      return z.string();
    case 'number':
      return z.number();
    case 'boolean':
      return z.boolean();
    case 'array':
      return z.array(z.json());
    case 'object':
      return z.record(z.string(), z.json());
    default:
      // A param declared as null says nothing about its type.
      return z.json();
  }
}

/** Params schemas by signature (names and types); policies are few, the bound only guards memory. */
const paramsSchemas = new Map<string, z.ZodType<Record<string, JsonValue>>>();
const PARAMS_SCHEMAS_MAX = 256;

/**
 * The strict zod schema of the `params` of a `policy_change` against `current`: only the params the
 * policy declares, each with the JSON type it has now, or `null` to remove it. A policy's params are
 * its own schema: new params (or a new type for one) come only with a whole replacement (`{ policy }`).
 *
 * @example
 * ```ts
 * import { definePolicy, policyParamsSchema } from '@intelgraph/governance';
 * const p = definePolicy({ kind: 'export', approvals: [{ count: 1, role: 'steward' }], params: { maxRecords: 100 } });
 * policyParamsSchema(p).safeParse({ maxRecords: 5 }).success; // true
 * policyParamsSchema(p).safeParse({ maxRecordz: 5 }).success; // false (unknown param)
 * policyParamsSchema(p).safeParse({ maxRecords: '5' }).success; // false (wrong type)
 * ```
 */
export function policyParamsSchema(current: Policy): z.ZodType<Record<string, JsonValue>> {
  // The schema depends only on the params' names and JSON types, and zod compiles an object schema's
  // parser on its first parse: one schema per signature, not one per request.
  const signature = JSON.stringify(Object.entries(current.params).map(([k, v]) => [k, paramTypeOf(v)]));
  const cached = paramsSchemas.get(signature);
  if (cached) return cached;
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(current.params))
    shape[k] = schemaOfType(paramTypeOf(v)).nullable().optional();
  const schema = z.object(shape).strict() as unknown as z.ZodType<Record<string, JsonValue>>;
  if (paramsSchemas.size >= PARAMS_SCHEMAS_MAX)
    paramsSchemas.delete(paramsSchemas.keys().next().value as string);
  paramsSchemas.set(signature, schema);
  return schema;
}

/** Throws `INVALID_INPUT` naming the unknown params (and the allowed ones) or the mistyped ones. */
function assertKnownParams(current: Policy, params: Record<string, JsonValue>): void {
  const r = policyParamsSchema(current).safeParse(params);
  if (r.success) return;
  const allowed = Object.keys(current.params).sort();
  const allowedText = allowed.length > 0 ? allowed.join(', ') : 'none (the policy declares no params)';
  const unknown: string[] = [];
  const issues = r.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      unknown.push(...i.keys);
      return {
        code: 'unknown_param',
        path: ['payload', 'params'],
        message: `unknown param${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')}; allowed: ${allowedText}`,
        keys: i.keys,
        allowed,
      };
    }
    const key = String(i.path[0] ?? '');
    const expected = paramTypeOf(current.params[key] ?? null);
    return {
      code: 'invalid_type',
      path: ['payload', 'params', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      message: `param ${key} must be ${expected === 'array' || expected === 'object' ? 'an' : 'a'} ${expected} (or null to remove it)`,
    };
  });
  const first = issues[0];
  throw new IntelGraphError(
    'INVALID_INPUT',
    unknown.length > 0
      ? `the ${current.kind} policy has no param${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; allowed: ${allowedText}`
      : `invalid policy change: ${first?.message ?? 'rejected'}`,
    { details: { issues, ...(unknown.length > 0 ? { unknown, allowed } : {}) } },
  );
}

/**
 * Computes the policy a `policy_change` payload would produce from `current`, validated in full.
 * Throws `INVALID_INPUT` (paths under `payload`) when a param is not one `current` declares or has
 * another JSON type (see {@link policyParamsSchema}), or when the result is not a valid policy of the
 * same kind.
 *
 * @example
 * ```ts
 * import { definePolicy, proposePolicyChange } from '@intelgraph/governance';
 * const current = definePolicy({ kind: 'export', approvals: [{ count: 1, role: 'steward' }], params: { threshold: 0.5 } });
 * const next = proposePolicyChange(current, { kind: 'export', params: { threshold: 0.9 } });
 * next.params.threshold; // 0.9
 * proposePolicyChange(current, { kind: 'export', params: { treshold: 0.9 } }); // throws INVALID_INPUT (unknown param)
 * ```
 */
export function proposePolicyChange(current: Policy, payload: PolicyChangePayload): Policy {
  let candidate: unknown;
  if ('params' in payload) {
    assertKnownParams(current, payload.params);
    const params: Record<string, JsonValue> = { ...current.params };
    for (const [k, v] of Object.entries(payload.params)) {
      if (v === null) delete params[k];
      else params[k] = v;
    }
    candidate = { ...current, params };
  } else {
    candidate = payload.policy;
  }
  const r = validatePolicy(candidate);
  const prefix = 'params' in payload ? ['payload', 'params'] : ['payload', 'policy'];
  if (!r.ok)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `the proposed policy is invalid: ${r.issues[0]?.message ?? ''}`,
      {
        details: { issues: r.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })) },
      },
    );
  if (r.value.kind !== payload.kind)
    throw new IntelGraphError('INVALID_INPUT', 'a policy change cannot change the kind of a policy', {
      details: {
        issues: [
          { code: 'kind_mismatch', path: ['payload', 'policy', 'kind'], message: `expected ${payload.kind}` },
        ],
      },
    });
  return r.value;
}
