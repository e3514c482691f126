import { type Actor, type AuditEvent, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import { NameSchema } from '../inputs.js';
import { actorOf, type HostContext } from './context.js';

/**
 * `host.audit`: the actor's org's slice of the hash-chained audit trail.
 *
 * @example
 * ```ts
 * const { events, verified } = await host.audit.trail(admin, 'plugin:sample-enricher', 50);
 * ```
 */
export interface AuditApi {
  /** The actor's org's newest events about a subject (at most `first`, ≤ 1000), and whether the whole chain verifies. */
  trail(actor: Actor, subject: string, first?: number): Promise<{ events: AuditEvent[]; verified: boolean }>;
}

/** Creates `host.audit` over the host's context. */
export function createAuditApi(ctx: HostContext): AuditApi {
  return {
    trail: async (actor, subject, first = 100) =>
      ctx.views.auditTrail(
        actorOf(actor),
        parseInput(NameSchema, subject, 'subject'),
        parseInput(z.number().int().min(1), first, 'first'),
      ),
  };
}
