import { useMemo } from 'react';
import { useIdentity } from '../auth/identity-context.js';
import { useQuery } from './hooks.js';
import { REVIEW_QUEUE } from './operations/governance.js';
import type { ReviewTask } from './types.js';

/** The review kind of a high-risk install (the host's `plugin_install`). */
export const INSTALL_REVIEW_KIND = 'plugin_install';

/**
 * Who approves a high-risk install under the host's default `plugin_install` policy: one steward of the
 * org, escalated to an admin after a day (see `defaultPolicies()` in `@intelgraph/host`).
 */
export const INSTALL_REVIEWERS = 'a steward of your org (an admin if none decides within a day)';

/** The pending high-risk install requests of a plugin id, from a set of review tasks. */
export function pendingInstallsOf(tasks: readonly ReviewTask[]): Map<string, ReviewTask> {
  const out = new Map<string, ReviewTask>();
  for (const t of tasks) {
    if (t.kind !== INSTALL_REVIEW_KIND || t.status !== 'pending') continue;
    const p = t.payload;
    const pluginId =
      typeof p === 'object' && p !== null && !Array.isArray(p) && typeof p.pluginId === 'string'
        ? p.pluginId
        : null;
    if (pluginId && !out.has(pluginId)) out.set(pluginId, t);
  }
  return out;
}

/**
 * The org's open install requests by plugin id, read from the review queues the acting user may see:
 * every task of the org for admins and auditors, else the user's own requests and what they review.
 */
export function usePendingInstalls(): { pending: Map<string, ReviewTask>; refetch: () => void } {
  const { identity } = useIdentity();
  const orgWide = identity.roles.some((r) => r === 'admin' || r === 'auditor');
  const own = useQuery(REVIEW_QUEUE, { scope: orgWide ? 'org' : 'requested', first: 100 });
  const reviewable = useQuery(REVIEW_QUEUE, { scope: 'reviewable', first: 100 }, { skip: orgWide });
  const pending = useMemo(
    () =>
      pendingInstallsOf([
        ...(own.data?.reviewQueue.items ?? []),
        ...(reviewable.data?.reviewQueue.items ?? []),
      ]),
    [own.data, reviewable.data],
  );
  return {
    pending,
    refetch: () => {
      own.refetch();
      if (!orgWide) reviewable.refetch();
    },
  };
}
