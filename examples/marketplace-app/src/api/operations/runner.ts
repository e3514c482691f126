import { operation } from '../client.js';
import type { AuditTrailView, BudgetHint, JsonValue, PluginRunReplay, PluginRunResult } from '../types.js';

const COST = 'currency amount lines { resource quantity unitPrice amount }';

export const HINT = operation<{ hint: BudgetHint }, { pluginId: string }>(/* GraphQL */ `
  query Hint($pluginId: ID!) {
    hint(pluginId: $pluginId) {
      pluginId runs cpuMsP50 cpuMsP95 rowsP50 rowsP95 wallMsP50 wallMsP95
      expectedCost { ${COST} }
      remaining { resource window limit used remaining resetAt }
    }
  }
`);

export const PLUGIN_RUN = operation<{ pluginRun: PluginRunResult }, { id: string; input: JsonValue }>(
  /* GraphQL */ `
  mutation PluginRun($id: ID!, $input: JSON!) {
    pluginRun(id: $id, input: $input) {
      ok
      value
      error { code message details }
      logs { level at message }
      usage { wallMs cpuMs heapBytes rows outputBytes logBytes }
      budgets { wallMs cpuMs memoryMB rows outputKB }
      cost { ${COST} }
      provenance {
        runId
        plugin { id version manifestSha256 codeSha256 }
        grantedScopes inputSha256
        hostCalls { scope method rows ms ok }
        entities outcome startedAt endedAt
      }
    }
  }
`,
);

export const PLUGIN_RUN_REPLAY = operation<{ pluginRunReplay: PluginRunReplay }, { runId: string }>(
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
export const AUDIT_TRAIL = operation<{ auditTrail: AuditTrailView }, { subject: string; first: number }>(
  /* GraphQL */ `
  query AuditTrail($subject: String!, $first: Int) {
    auditTrail(subject: $subject, first: $first) {
      subject verified
      events { seq at type actor { id } data hash }
    }
  }
`,
);
