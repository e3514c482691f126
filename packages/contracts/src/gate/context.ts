// The state every part of a contract gate shares: its parsed options, the contract it resolved last (and
// when), and the two steps around each check: resolving the contract, and reporting the decision.
import { type Clock, IntelGraphError, parseInput, systemClock } from '@intelgraph/core';
import { z } from 'zod';
import type { ContractAuditHook } from '../audit-hook.js';
import type { ContractGateOptions, GateDecision, GateEdge, GateMode } from '../gate.js';
import { SubjectSchema } from '../registry/context.js';
import type { ResolvedContract, SchemaRegistry } from '../registry.js';
import { decisionSummary } from './summary.js';

const OptionsSchema = z.object({
  subject: SubjectSchema,
  version: z.number().int().min(1).optional(),
  mode: z.enum(['enforce', 'warn', 'off']),
  edge: z.enum(['ingest', 'export']),
  refreshMs: z.number().int().min(0).max(86_400_000).optional(),
  maxSuggestions: z.number().int().min(0).max(1000).optional(),
  screen: z.boolean().optional(),
});

/** What every part of one gate reads (its options) and writes (the resolved contract). */
export interface GateContext {
  readonly registry: SchemaRegistry;
  readonly audit: ContractAuditHook | undefined;
  readonly clock: Clock;
  readonly subject: string;
  /** The pinned version, or `undefined` to follow the latest live one. */
  readonly version: number | undefined;
  readonly mode: GateMode;
  readonly edge: GateEdge;
  readonly refreshMs: number;
  readonly maxSuggestions: number;
  readonly screen: boolean;
  /** The contract resolved last, and when (`clock.now()` before the registry was asked). */
  resolved: ResolvedContract | null;
  resolvedAt: number;
}

/** Validates the gate's options and builds its context; `INVALID_INPUT` for bad options. */
export function createGateContext(options: ContractGateOptions): GateContext {
  const parsed = parseInput(
    OptionsSchema,
    { ...options, registry: undefined, audit: undefined, clock: undefined },
    'gate options',
  );
  const { registry, audit } = options;
  if (!registry || typeof registry.resolve !== 'function')
    throw new IntelGraphError('INVALID_INPUT', 'invalid gate options: registry is required');
  return {
    registry,
    audit,
    clock: options.clock ?? systemClock,
    subject: parsed.subject,
    version: parsed.version,
    mode: parsed.mode,
    edge: parsed.edge,
    refreshMs: parsed.refreshMs ?? 5000,
    maxSuggestions: parsed.maxSuggestions ?? 10,
    screen: parsed.screen ?? true,
    resolved: null,
    resolvedAt: 0,
  };
}

/** The cached contract while it is fresh (no promise on the hot path), else `null`. */
export function cachedContract(ctx: GateContext): ResolvedContract | null {
  const { resolved } = ctx;
  if (resolved && (ctx.version !== undefined || ctx.clock.now() - ctx.resolvedAt < ctx.refreshMs))
    return resolved;
  return null;
}

/** Asks the registry for the contract and caches it. */
export async function resolveContract(ctx: GateContext): Promise<ResolvedContract> {
  const now = ctx.clock.now();
  const resolved = await ctx.registry.resolve(ctx.subject, ctx.version);
  ctx.resolved = resolved;
  ctx.resolvedAt = now;
  return resolved;
}

/** Sends the decision to the audit hook (when there is one), then returns it. */
export async function report(ctx: GateContext, decision: GateDecision): Promise<GateDecision> {
  if (!ctx.audit) return decision;
  await ctx.audit({
    type: 'contract.gate.decision',
    subject: `contract:${ctx.subject}`,
    data: decisionSummary(decision),
  });
  return decision;
}
