import { type Actor, IntelGraphError } from '@intelgraph/core';
import type { Governance, GovernanceOwner } from '@intelgraph/governance';
import type { HighRiskDecision, HighRiskRequest, Marketplace } from '@intelgraph/marketplace';
import type { InstallRequests } from './install-requests.js';
import { HOST_REVIEW_KINDS } from './policies.js';
import { type HostKindPayload, parseOwnedPayload } from './review-kinds.js';

/** What the marketplace's high-risk hook needs; services created later are reached through getters. */
export interface InstallReviewDeps {
  governance: () => Governance;
  marketplace: () => Marketplace;
  installRequests: InstallRequests;
  owner: GovernanceOwner;
}

/**
 * The marketplace's `onHighRiskInstall` hook: a change that adds high-risk scopes opens a
 * `plugin_install` review (one open request per plugin version), and the applier of an approved review
 * passes its ref back, which must be that very review, approved now, for this very change.
 */
export function highRiskInstallHook(
  deps: InstallReviewDeps,
): (req: HighRiskRequest) => Promise<HighRiskDecision> {
  const { installRequests, owner } = deps;
  const approvedBy = async (actor: Actor, req: HighRiskRequest, ref: string): Promise<HighRiskDecision> => {
    const task = await deps.governance().get(actor, ref);
    const p = task.kind === HOST_REVIEW_KINDS.pluginInstall ? parseOwnedPayload('pluginInstall', task) : null;
    const covers =
      p !== null &&
      p.action === req.action &&
      p.pluginId === req.pluginId &&
      p.version === req.version &&
      req.adding.every((s) => p.scopes.includes(s));
    if (covers && task.state === 'approved') return { status: 'approved', ref: task.id };
    return {
      status: 'denied',
      reason: `review ${task.id} does not approve this change (state ${task.state})`,
    };
  };
  return async (req) => {
    // Only the applier of an approved review passes a ref (the public install takes none).
    if (req.approvalRef) return approvedBy(req.actor, req, req.approvalRef);
    return installRequests.exclusive(req.orgId, req.pluginId, req.version, async () => {
      const open = await installRequests.open(req.orgId, req.pluginId);
      const same = open.find((r) => r.version === req.version);
      if (same)
        throw new IntelGraphError(
          'CONFLICT',
          `a request for ${req.pluginId}@${req.version} is already open (review ${same.taskId})`,
          { details: { reason: 'duplicate_request', reviewTaskId: same.taskId, state: same.state } },
        );
      const offered = (await deps.marketplace().detail(req.pluginId)).versions.find(
        (v) => v.version === req.version,
      );
      const optional = req.scopes.filter((s) => offered?.optionalScopes.includes(s) === true);
      const common = {
        pluginId: req.pluginId,
        version: req.version,
        scopes: [...req.scopes],
        adding: [...req.adding],
      };
      const payload: HostKindPayload<'pluginInstall'> =
        req.action === 'consent'
          ? { action: 'consent', ...common }
          : { action: req.action, ...common, optional };
      const task = await deps.governance().request(
        req.actor,
        {
          kind: HOST_REVIEW_KINDS.pluginInstall,
          reason: `${req.action} ${req.pluginId}@${req.version} adds high-risk scopes: ${req.adding.join(', ')}`,
          payload,
        },
        { owner },
      );
      // Pending, or approved by the policy itself and already applied by the host's applier (which
      // made the change): either way this call stops here and the host answers from the review.
      return { status: 'pending', ref: task.id };
    });
  };
}
