import { operation } from '../client.js';
import type { FinOpsDashboard, KillSwitch, KillSwitchScope } from '../types.js';

const KILL_SWITCH = 'scope target on reason actor at';

export const FINOPS_DASHBOARD = operation<{ finopsDashboard: FinOpsDashboard }>(/* GraphQL */ `
  query FinOpsDashboard {
    finopsDashboard {
      currency
      plugins { pluginId runs errors denied p50Ms p95Ms cpuMs rows cost }
      p95Series { pluginId points { at value } }
      quotas { id orgId pluginId resource limit window mode used resetAt }
      contractChecks { subject edge passed failed }
      approvals { open overdue decided medianDecisionSeconds }
      killSwitches { ${KILL_SWITCH} }
    }
  }
`);

export const KILL_SWITCHES = operation<{ killSwitches: KillSwitch[] }>(/* GraphQL */ `
  query KillSwitches { killSwitches { ${KILL_SWITCH} } }
`);

export const KILL_SWITCH_SET = operation<
  { killSwitchSet: KillSwitch },
  { scope: KillSwitchScope; target: string | null; on: boolean; reason: string }
>(/* GraphQL */ `
  mutation KillSwitchSet($scope: KillSwitchScope!, $target: String, $on: Boolean!, $reason: String!) {
    killSwitchSet(scope: $scope, target: $target, on: $on, reason: $reason) { ${KILL_SWITCH} }
  }
`);
