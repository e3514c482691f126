import type {
  ContractApplyPatchQuery,
  ContractApplyPatchQueryVariables,
  ContractDiffQuery,
  ContractDiffQueryVariables,
  ContractSetEnforcementMutation,
  ContractSetEnforcementMutationVariables,
  ContractsQuery,
  ContractsQueryVariables,
  ContractTestQuery,
  ContractTestQueryVariables,
  IngestMutation,
  IngestMutationVariables,
} from '../../generated/graphql.js';
import { operation } from '../client.js';

// Fragments travel with each operation that spreads them (the `${...}` after the operation's text);
// `pnpm codegen` reads the same literals and types every result from the SDL.
const VERSION = /* GraphQL */ `
  fragment ContractVersionFields on ContractVersion {
    subject version format schema fingerprint createdAt deleted deprecatedUntil
  }
`;

const ISSUE = /* GraphQL */ `
  fragment ContractIssueFields on ContractIssue { code path message }
`;

const RECORD = /* GraphQL */ `
  fragment RecordResultFields on RecordResult {
    index ok errors { ...ContractIssueFields } warnings { ...ContractIssueFields }
    patch { op path from value reason confidence } patched patchValid
  }
  ${ISSUE}
`;

export const CONTRACTS = operation<ContractsQuery, ContractsQueryVariables>(/* GraphQL */ `
  query Contracts {
    contracts {
      subject format compatibility
      latest { version createdAt }
      versions { ...ContractVersionFields }
      enforcement { edge mode }
      migrationRules { from to direction description operations }
    }
  }
  ${VERSION}
`);

export const CONTRACT_DIFF = operation<ContractDiffQuery, ContractDiffQueryVariables>(/* GraphQL */ `
  query ContractDiff($subject: String!, $from: Int!, $to: Int!) {
    contractDiff(subject: $subject, from: $from, to: $to) {
      subject
      from { ...ContractVersionFields }
      to { ...ContractVersionFields }
      changes { kind path message breaking }
      compatible
      issues { ...ContractIssueFields }
    }
  }
  ${VERSION}
  ${ISSUE}
`);

export const CONTRACT_TEST = operation<ContractTestQuery, ContractTestQueryVariables>(/* GraphQL */ `
  query ContractTest($subject: String!, $version: Int, $records: [JSON!]!) {
    contractTest(subject: $subject, version: $version, records: $records) {
      subject version ok records { ...RecordResultFields }
    }
  }
  ${RECORD}
`);

export const CONTRACT_APPLY_PATCH = operation<ContractApplyPatchQuery, ContractApplyPatchQueryVariables>(
  /* GraphQL */ `
  query ContractApplyPatch($subject: String!, $version: Int, $record: JSON!, $patch: [PatchOperationInput!]!) {
    contractApplyPatch(subject: $subject, version: $version, record: $record, patch: $patch) {
      ...RecordResultFields
    }
  }
  ${RECORD}
`,
);

export const INGEST = operation<IngestMutation, IngestMutationVariables>(/* GraphQL */ `
  mutation Ingest($subject: String!, $batch: [JSON!]!) {
    ingest(subject: $subject, batch: $batch) {
      status accepted rejected records { ...RecordResultFields } reviewTask { id status }
    }
  }
  ${RECORD}
`);

export const CONTRACT_SET_ENFORCEMENT = operation<
  ContractSetEnforcementMutation,
  ContractSetEnforcementMutationVariables
>(/* GraphQL */ `
  mutation ContractSetEnforcement($subject: String!, $edge: ContractEdge!, $mode: GateMode!, $reason: String!) {
    contractSetEnforcement(subject: $subject, edge: $edge, mode: $mode, reason: $reason) {
      status reviewTask { id status }
    }
  }
`);
