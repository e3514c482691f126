// Publishing a transition's domain events: each is audited, and those that notify go to the notifier.
// A failed delivery is audited as `review.notification_failed` and never fails the operation.
import { logFailure, type ReviewSnapshot, toIntelGraphError } from '@intelgraph/core';
import type { DomainEvent } from '../transitions.js';
import type { GovernanceContext } from './context.js';

/** Audits and notifies the events of one transition. */
export type Publish = ReturnType<typeof createPublisher>['publish'];

/** The event publisher over a governance context. */
export function createPublisher(ctx: GovernanceContext) {
  const { audit, notifier, ids, clock } = ctx;

  async function publish(
    orgId: string,
    taskId: string,
    snapshot: ReviewSnapshot | null,
    events: DomainEvent[],
  ): Promise<void> {
    for (const e of events) {
      await audit.record({
        type: e.type,
        actor: e.actor ? { userId: e.actor.userId, orgId } : null,
        subject: `task:${taskId}`,
        orgId,
        data: { taskId, ...e.data },
      });
      if (!e.notify || !notifier || !snapshot) continue;
      const t = snapshot.task;
      try {
        await notifier.notify({
          id: ids.next('ntf'),
          type: e.notify.type,
          orgId,
          taskId,
          kind: t.kind,
          state: t.state,
          at: new Date(clock.now()).toISOString(),
          to: e.notify.to,
          dueAt: t.dueAt === null ? null : new Date(t.dueAt).toISOString(),
          summary: e.notify.summary,
        });
      } catch (err) {
        // The decision is committed; a failed delivery is recorded, never propagated.
        const error = toIntelGraphError(err, 'UNAVAILABLE');
        logFailure(ctx.options.logger, 'review notification failed', error, {
          org: orgId,
          taskId,
          notification: e.notify.type,
        });
        await audit.record({
          type: 'review.notification_failed',
          actor: null,
          subject: `task:${taskId}`,
          orgId,
          data: {
            taskId,
            notification: e.notify.type,
            error: { code: error.code, message: error.message.slice(0, 500) },
          },
        });
      }
    }
  }

  return { publish };
}
