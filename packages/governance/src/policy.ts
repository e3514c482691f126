import {
  canonicalUserId,
  findDangerousKeys,
  IntelGraphError,
  issuesFromZod,
  type JsonValue,
  type ValidationResult,
} from '@intelgraph/core';
import { z } from 'zod';
import { type Condition, ConditionSchema } from './condition.js';

const NameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w:.-]+$/u, 'only letters, digits and _ : . - are allowed');
const UserIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:+-]+$/u);
const DurationSchema = z
  .number()
  .int()
  .positive()
  .max(366 * 86_400_000);

/** Who may review: holders of a role, members of a group, or one named user. */
export type ReviewerSelector = { role: string } | { group: string } | { userId: string };

const SelectorSchema = z.union([
  z.object({ role: NameSchema }).strict(),
  z.object({ group: NameSchema }).strict(),
  z.object({ userId: UserIdSchema }).strict(),
]);

/** "`count` distinct approvals from reviewers matching the selector". */
export type ApprovalRule = { count: number } & ({ role: string } | { group: string } | { userIds: string[] });

const RuleSchema = z.union([
  z.object({ count: z.number().int().min(1).max(50), role: NameSchema }).strict(),
  z.object({ count: z.number().int().min(1).max(50), group: NameSchema }).strict(),
  z
    .object({ count: z.number().int().min(1).max(50), userIds: z.array(UserIdSchema).min(1).max(100) })
    .strict()
    .refine((r) => r.count <= new Set(r.userIds.map(canonicalUserId)).size, {
      message: 'count exceeds the number of distinct users',
    }),
]);

const RulesSchema = z.array(RuleSchema).min(1).max(10);

const KindSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_.:-]*$/u, 'lower-case letters, digits and _ . : -');

const ParamsSchema = z
  .record(z.string().min(1).max(64), z.json())
  .refine((p) => Object.keys(p).length <= 50, {
    message: 'at most 50 params',
  });

/**
 * Zod schema of a policy definition; {@link definePolicy} parses with it and fills the defaults.
 *
 * @example
 * ```ts
 * import { PolicySchema } from '@intelgraph/governance';
 * PolicySchema.safeParse({ kind: 'merge', approvals: [{ count: 1, role: 'steward' }] }).success; // true
 * ```
 */
export const PolicySchema = z
  .object({
    kind: KindSchema,
    description: z.string().max(500).optional(),
    /** Every rule must be met (AND); within a rule, `count` distinct matching reviewers. */
    approvals: RulesSchema,
    /** Distinct denials that deny the task (default 1). */
    denyThreshold: z.number().int().min(1).max(50).default(1),
    /** Whether the request reason and the approval note are required (a denial reason always is). */
    requireReason: z
      .object({ request: z.boolean().default(true), approve: z.boolean().default(false) })
      .strict()
      .default({ request: true, approve: false }),
    /** Whether at least one evidence attachment must accompany the request. */
    evidenceRequired: z.boolean().default(false),
    sla: z
      .object({
        dueAfterMs: DurationSchema,
        /** Tell the reviewers this long before the due time. */
        warnBeforeMs: DurationSchema.optional(),
        /** Backup approvers, each step `afterMs` after the due time; they stand in for any rule. */
        escalation: z
          .array(
            z
              .object({
                afterMs: z
                  .number()
                  .int()
                  .min(0)
                  .max(366 * 86_400_000),
                to: z.array(SelectorSchema).min(1).max(20),
              })
              .strict(),
          )
          .max(10)
          .default([]),
      })
      .strict()
      .optional(),
    /** Pending tasks expire this long after they were opened. */
    expiresAfterMs: DurationSchema.optional(),
    /** When the payload matches, no review is needed: the policy approves by itself (and it is audited). */
    autoApprove: z
      .object({
        when: ConditionSchema,
        note: z.string().min(1).max(500).default('no review needed by policy'),
      })
      .strict()
      .optional(),
    appeal: z
      .object({
        allowed: z.boolean().default(true),
        /** An appeal must be lodged within this long after the denial. */
        windowMs: DurationSchema.optional(),
        /** How many appeals may follow one another (default 1). */
        maxDepth: z.number().int().min(1).max(5).default(1),
        /** The quorum an appeal needs; defaults to the policy's approvals. */
        approvals: RulesSchema.optional(),
      })
      .strict()
      .default({ allowed: true, maxDepth: 1 }),
    /** Named values conditions can refer to (`{ path: 'rows', op: 'lte', param: 'maxRows' }`). */
    params: ParamsSchema.default({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    const sla = p.sla;
    if (sla) {
      if (sla.warnBeforeMs !== undefined && sla.warnBeforeMs >= sla.dueAfterMs)
        ctx.addIssue({
          code: 'custom',
          path: ['sla', 'warnBeforeMs'],
          message: 'must be less than dueAfterMs',
        });
      for (let i = 1; i < sla.escalation.length; i++) {
        if ((sla.escalation[i]?.afterMs ?? 0) <= (sla.escalation[i - 1]?.afterMs ?? 0))
          ctx.addIssue({
            code: 'custom',
            path: ['sla', 'escalation', i, 'afterMs'],
            message: 'escalation steps must come strictly later one after another',
          });
      }
    }
  });

/** The input form of a policy (defaults optional). */
export type PolicyInput = z.input<typeof PolicySchema>;

/** A validated policy with every default filled in. Plain JSON data. */
export interface Policy {
  kind: string;
  description?: string | undefined;
  approvals: ApprovalRule[];
  denyThreshold: number;
  requireReason: { request: boolean; approve: boolean };
  evidenceRequired: boolean;
  sla?:
    | {
        dueAfterMs: number;
        warnBeforeMs?: number | undefined;
        escalation: { afterMs: number; to: ReviewerSelector[] }[];
      }
    | undefined;
  expiresAfterMs?: number | undefined;
  autoApprove?: { when: Condition; note: string } | undefined;
  appeal: {
    allowed: boolean;
    windowMs?: number | undefined;
    maxDepth: number;
    approvals?: ApprovalRule[] | undefined;
  };
  params: Record<string, JsonValue>;
}

/**
 * Validates a policy, returning every issue with its path instead of throwing.
 *
 * @example
 * ```ts
 * import { validatePolicy } from '@intelgraph/governance';
 * const r = validatePolicy({ kind: 'export', approvals: [] });
 * if (!r.ok) r.issues[0].path; // ['approvals']
 * ```
 */
export function validatePolicy(input: unknown): ValidationResult<Policy> {
  const dangerous = findDangerousKeys(input);
  if (dangerous.length > 0) return { ok: false, issues: dangerous };
  const r = PolicySchema.safeParse(input);
  if (!r.success) return { ok: false, issues: issuesFromZod(r.error) };
  return { ok: true, value: r.data as Policy };
}

/**
 * Defines the review policy of one request kind: who must approve (several rules are ANDed), how many
 * denials deny, the SLA with its escalation to backup approvers, expiry, appeals, and when no review is
 * needed. Policies are data: this parses and normalises them, and throws `INVALID_INPUT` with paths.
 *
 * @example
 * ```ts
 * import { definePolicy } from '@intelgraph/governance';
 * const exportPolicy = definePolicy({
 *   kind: 'export',
 *   approvals: [{ count: 2, role: 'data-steward' }, { count: 1, role: 'legal' }],
 *   sla: { dueAfterMs: 86_400_000, escalation: [{ afterMs: 0, to: [{ role: 'ciso' }] }] },
 *   params: { maxRows: 1000 },
 *   autoApprove: { when: { path: 'rows', op: 'lte', param: 'maxRows' } },
 * });
 * ```
 */
export function definePolicy(input: PolicyInput): Policy {
  const r = validatePolicy(input);
  if (r.ok) return r.value;
  const first = r.issues[0];
  throw new IntelGraphError(
    'INVALID_INPUT',
    `invalid policy${first && first.path.length > 0 ? ` at ${first.path.join('.')}` : ''}: ${first?.message ?? 'rejected'}`,
    { details: { issues: r.issues } },
  );
}

/** The selector strings (`role:x`, `group:y`, `user:z`) of a reviewer selector or approval rule. */
export function selectorKeys(s: ReviewerSelector | ApprovalRule): string[] {
  if ('role' in s) return [`role:${s.role}`];
  if ('group' in s) return [`group:${s.group}`];
  // User selectors are matched against canonical user ids (RFC-033), so they are canonical too.
  if ('userIds' in s) return s.userIds.map((u) => `user:${canonicalUserId(u)}`);
  return [`user:${canonicalUserId(s.userId)}`];
}

/** The selectors of the backup approvers of every escalation step up to `level` (exclusive). */
export function escalationKeys(policy: Policy, level = Number.POSITIVE_INFINITY): string[] {
  const out = new Set<string>();
  for (const [i, step] of (policy.sla?.escalation ?? []).entries()) {
    if (i >= level) break;
    for (const s of step.to) for (const k of selectorKeys(s)) out.add(k);
  }
  return [...out];
}

/** The selectors of the primary reviewers (the union over every approval rule). */
export function primaryKeys(policy: Policy): string[] {
  return [...new Set(policy.approvals.flatMap(selectorKeys))];
}
