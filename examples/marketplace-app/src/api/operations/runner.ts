import type {
  AuditTrailQuery,
  AuditTrailQueryVariables,
  HintQuery,
  HintQueryVariables,
  PluginRunMutation,
  PluginRunMutationVariables,
  PluginRunReplayMutation,
  PluginRunReplayMutationVariables,
} from '../../generated/graphql.js';
import { operation } from '../client.js';

const COST = /* GraphQL */ `
  fragment CostFields on Cost { currency amount lines { resource quantity unitPrice amount } }
`;

export const HINT = operation<HintQuery, HintQueryVariables>(/* GraphQL */ `
  query Hint($pluginId: ID!) {
    hint(pluginId: $pluginId) {
      pluginId runs cpuMsP50 cpuMsP95 rowsP50 rowsP95 wallMsP50 wallMsP95
      expectedCost { ...CostFields }
      remaining { resource window limit used remaining resetAt }
    }
  }
  ${COST}
`);

export const PLUGIN_RUN = operation<PluginRunMutation, PluginRunMutationVariables>(/* GraphQL */ `
  mutation PluginRun($id: ID!, $input: JSON!) {
    pluginRun(id: $id, input: $input) {
      ok
      value
      error { code message details }
      logs { level at message }
      usage { wallMs cpuMs heapBytes rows outputBytes logBytes }
      budgets { wallMs cpuMs memoryMB rows outputKB }
      cost { ...CostFields }
      provenance {
        runId
        plugin { id version manifestSha256 codeSha256 }
        grantedScopes inputSha256
        hostCalls { scope method rows ms ok }
        entities outcome startedAt endedAt
      }
    }
  }
  ${COST}
`);

export const PLUGIN_RUN_REPLAY = operation<PluginRunReplayMutation, PluginRunReplayMutationVariables>(
  /* GraphQL */ `
  mutation PluginRunReplay($runId: ID!) {
    pluginRunReplay(runId: $runId) {
      runId replayable identical outputSha256 recordedOutputSha256 reason
      divergence { kind reason index path recordedPath outputPath }
    }
  }
`,
);

/** The most events one audit read returns (the API's own ceiling). */
export const AUDIT_PAGE = 1000;

/** A subject's audit events, oldest first (at most `first`), with the chain's verdict. */
export const AUDIT_TRAIL = operation<AuditTrailQuery, AuditTrailQueryVariables>(/* GraphQL */ `
  query AuditTrail($subject: String!, $first: Int) {
    auditTrail(subject: $subject, first: $first) {
      subject verified
      events { seq at type actor { id } data hash }
    }
  }
`);
