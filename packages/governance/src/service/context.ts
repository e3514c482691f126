// The configuration every part of the governance service shares, built once from the options (which
// are validated here: every policy valid, one per kind, an applier for each), plus the input checks
// each entry point starts with.
import {
  type Actor,
  ActorSchema,
  type AuditTrail,
  type Authorizer,
  type Clock,
  canonicalActor,
  createAuditTrail,
  createAuthorizer,
  createMemoryAuditStore,
  type IdSource,
  IntelGraphError,
  parseInput,
  type ReviewNotifier,
  type ReviewStore,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import { z } from 'zod';
import { EvidenceInputSchema, MAX_EVIDENCE_ITEMS } from '../evidence.js';
import type { GovernanceOptions, GovernanceOwner } from '../governance.js';
import { createMemoryReviewStore } from '../memory-review-store.js';
import { type Policy, validatePolicy } from '../policy.js';
import { POLICY_CHANGE_KIND } from '../policy-change.js';
import type { Access } from './access.js';
import type { Applying } from './apply.js';
import type { Publish } from './publish.js';

const TaskIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/u);
export const TextSchema = (max: number) => z.string().trim().min(1).max(max);
export const EvidenceListSchema = z.array(EvidenceInputSchema).max(MAX_EVIDENCE_ITEMS).optional();

/** The governance service's configuration, with the defaults applied. */
export interface GovernanceContext {
  readonly options: GovernanceOptions;
  readonly store: ReviewStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly audit: AuditTrail;
  readonly notifier: ReviewNotifier | undefined;
  /** Decides `governance.audit` (who sees every task of their org). */
  readonly authorizer: Authorizer;
  readonly evidenceMaxBytes: number;
  readonly payloadMaxBytes: number;
  readonly applyLeaseMs: number;
  readonly applyGraceMs: number;
  /** The policies of the options, by kind (an org may override them through `policy_change`). */
  readonly basePolicies: ReadonlyMap<string, Policy>;
  readonly owned: ReadonlySet<string>;
  readonly ownerToken: GovernanceOwner | undefined;
}

/** The context and the shared operations every method group uses. */
export type GovernanceDeps = GovernanceContext & Access & Applying & { publish: Publish };

/** Applies the defaults and validates the options; `INVALID_INPUT` with every issue found. */
export function createGovernanceContext(options: GovernanceOptions): GovernanceContext {
  const store = options.store ?? createMemoryReviewStore();
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const audit = options.audit ?? createAuditTrail({ store: createMemoryAuditStore(), clock, ids });
  const notifier = options.notifier;
  const authorizer = options.authorizer ?? createAuthorizer();
  const evidenceMaxBytes = options.evidenceMaxBytes ?? 5 * 1024 * 1024;
  const payloadMaxBytes = options.payloadMaxBytes ?? 256 * 1024;
  const applyLeaseMs = options.applyLeaseMs ?? 5 * 60_000;
  const applyGraceMs = options.applyGraceMs ?? 60_000;

  const basePolicies = new Map<string, Policy>();
  const issues: { code: string; path: (string | number)[]; message: string }[] = [];
  for (const [i, p] of options.policies.entries()) {
    const r = validatePolicy(p);
    if (!r.ok) issues.push(...r.issues.map((x) => ({ ...x, path: ['policies', i, ...x.path] })));
    else if (basePolicies.has(r.value.kind))
      issues.push({
        code: 'duplicate',
        path: ['policies', i, 'kind'],
        message: `two policies for ${r.value.kind}`,
      });
    else basePolicies.set(r.value.kind, r.value);
  }
  for (const kind of basePolicies.keys())
    if (kind !== POLICY_CHANGE_KIND && typeof options.appliers[kind] !== 'function')
      issues.push({
        code: 'missing_applier',
        path: ['appliers', kind],
        message: `no applier for kind ${kind}`,
      });
  if (issues.length > 0)
    throw new IntelGraphError('INVALID_INPUT', `invalid governance options: ${issues[0]?.message ?? ''}`, {
      details: { issues },
    });

  const owned = new Set(options.ownedKinds?.kinds ?? []);
  const ownerToken = options.ownedKinds?.owner;
  return {
    options,
    store,
    clock,
    ids,
    audit,
    notifier,
    authorizer,
    evidenceMaxBytes,
    payloadMaxBytes,
    applyLeaseMs,
    applyGraceMs,
    basePolicies,
    owned,
    ownerToken,
  };
}

// Identities are compared in canonical form (RFC-033): the actor is canonicalised once, here.
export const parseActor = (actor: unknown): Actor => canonicalActor(parseInput(ActorSchema, actor, 'actor'));
export const parseTaskId = (id: unknown): string => parseInput(TaskIdSchema, id, 'task id');
