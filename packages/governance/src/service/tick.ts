// The timer's work: due deadlines (SLA warnings, escalation, expiry) and approved tasks whose apply
// never started or stalled.
import { parseInput } from '@intelgraph/core';
import { z } from 'zod';
import type { Governance, TickReport } from '../governance.js';
import { processDeadline } from '../transitions.js';
import type { GovernanceDeps } from './context.js';

/** `tick` over the governance service's shared operations. */
export function createTick(deps: GovernanceDeps): Pick<Governance, 'tick'> {
  const { store, clock, applyGraceMs } = deps;
  const { publish, runApply } = deps;

  return {
    async tick(tickOptions = {}) {
      const limit = parseInput(z.number().int().min(1).max(1000), tickOptions.limit ?? 100, 'limit');
      const now = clock.now();
      const report: TickReport = {
        examined: 0,
        expired: 0,
        warned: 0,
        escalated: 0,
        applied: 0,
        staleFailed: 0,
      };
      for (const t of await store.listDeadlines(now, limit)) {
        report.examined += 1;
        if (t.state === 'approved') {
          const outcome = await runApply(t.id, 'recover', null);
          if (outcome === 'applied' || outcome === 'failed') report.applied += 1;
          if (outcome === 'stale') report.staleFailed += 1;
          continue;
        }
        const r = await store.update(t.id, (s) => processDeadline(s, now, applyGraceMs), {
          skipLocked: true,
        });
        if (!r) continue;
        for (const e of r.result.events) {
          if (e.type === 'review.expired') report.expired += 1;
          if (e.type === 'review.sla_warning') report.warned += 1;
          if (e.type === 'review.escalated') report.escalated += 1;
        }
        await publish(r.snapshot.task.orgId, t.id, r.snapshot, r.result.events);
      }
      return report;
    },
  };
}
