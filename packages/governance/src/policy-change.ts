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
 * into the current ones; `null` removes a param), or a whole replacement policy of the same kind.
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

/**
 * Computes the policy a `policy_change` payload would produce from `current`, validated in full.
 * Throws `INVALID_INPUT` (paths under `payload`) when the result is not a valid policy of the same kind.
 *
 * @example
 * ```ts
 * import { definePolicy, proposePolicyChange } from '@intelgraph/governance';
 * const next = proposePolicyChange(current, { kind: 'export', params: { threshold: 0.9 } });
 * next.params.threshold; // 0.9
 * ```
 */
export function proposePolicyChange(current: Policy, payload: PolicyChangePayload): Policy {
  let candidate: unknown;
  if ('params' in payload) {
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
