import type {
  FinOpsDashboardQuery,
  FinOpsDashboardQueryVariables,
  KillSwitchesQuery,
  KillSwitchesQueryVariables,
  KillSwitchSetMutation,
  KillSwitchSetMutationVariables,
} from '../../generated/graphql.js';
import { operation } from '../client.js';

const KILL_SWITCH = /* GraphQL */ `
  fragment KillSwitchFields on KillSwitch { scope target on reason actor at }
`;

export const FINOPS_DASHBOARD = operation<FinOpsDashboardQuery, FinOpsDashboardQueryVariables>(
  /* GraphQL */ `
  query FinOpsDashboard {
    finopsDashboard {
      currency
      plugins { pluginId runs errors denied p50Ms p95Ms cpuMs rows cost }
      p95Series { pluginId points { at value } }
      quotas { id orgId pluginId resource limit window mode used resetAt }
      contractChecks { subject edge passed failed }
      approvals { open overdue decided medianDecisionSeconds }
      killSwitches { ...KillSwitchFields }
    }
  }
  ${KILL_SWITCH}
`,
);

export const KILL_SWITCHES = operation<KillSwitchesQuery, KillSwitchesQueryVariables>(/* GraphQL */ `
  query KillSwitches { killSwitches { ...KillSwitchFields } }
  ${KILL_SWITCH}
`);

export const KILL_SWITCH_SET = operation<KillSwitchSetMutation, KillSwitchSetMutationVariables>(
  /* GraphQL */ `
  mutation KillSwitchSet($scope: KillSwitchScope!, $target: String, $on: Boolean!, $reason: String!) {
    killSwitchSet(scope: $scope, target: $target, on: $on, reason: $reason) { ...KillSwitchFields }
  }
  ${KILL_SWITCH}
`,
);
