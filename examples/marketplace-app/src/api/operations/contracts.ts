import { operation } from '../client.js';
import type {
  ContractDiff,
  ContractEdge,
  ContractSubject,
  ContractTestResult,
  GateMode,
  GovernedResult,
  IngestResult,
  JsonValue,
  RecordResult,
} from '../types.js';

const VERSION = 'subject version format schema fingerprint createdAt deleted deprecatedUntil';
const ISSUE = 'code path message';
const RECORD = `index ok errors { ${ISSUE} } warnings { ${ISSUE} }
  patch { op path from value reason confidence } patched patchValid`;

export const CONTRACTS = operation<{ contracts: ContractSubject[] }>(/* GraphQL */ `
  query Contracts {
    contracts {
      subject format compatibility
      latest { version createdAt }
      versions { ${VERSION} }
      enforcement { edge mode }
      migrationRules { from to direction description operations }
    }
  }
`);

export const CONTRACT_DIFF = operation<
  { contractDiff: ContractDiff },
  { subject: string; from: number; to: number }
>(/* GraphQL */ `
  query ContractDiff($subject: String!, $from: Int!, $to: Int!) {
    contractDiff(subject: $subject, from: $from, to: $to) {
      subject
      from { ${VERSION} }
      to { ${VERSION} }
      changes { kind path message breaking }
      compatible
      issues { ${ISSUE} }
    }
  }
`);

export const CONTRACT_TEST = operation<
  { contractTest: ContractTestResult },
  { subject: string; version: number | null; records: JsonValue[] }
>(/* GraphQL */ `
  query ContractTest($subject: String!, $version: Int, $records: [JSON!]!) {
    contractTest(subject: $subject, version: $version, records: $records) {
      subject version ok records { ${RECORD} }
    }
  }
`);

export interface PatchOperationInput {
  op: string;
  path: string;
  from?: string | null;
  value?: JsonValue | null;
}

export const CONTRACT_APPLY_PATCH = operation<
  { contractApplyPatch: RecordResult },
  { subject: string; version: number | null; record: JsonValue; patch: PatchOperationInput[] }
>(/* GraphQL */ `
  query ContractApplyPatch($subject: String!, $version: Int, $record: JSON!, $patch: [PatchOperationInput!]!) {
    contractApplyPatch(subject: $subject, version: $version, record: $record, patch: $patch) { ${RECORD} }
  }
`);

export const INGEST = operation<{ ingest: IngestResult }, { subject: string; batch: JsonValue[] }>(
  /* GraphQL */ `
  mutation Ingest($subject: String!, $batch: [JSON!]!) {
    ingest(subject: $subject, batch: $batch) {
      status accepted rejected records { ${RECORD} } reviewTask { id status }
    }
  }
`,
);

export const CONTRACT_SET_ENFORCEMENT = operation<
  { contractSetEnforcement: GovernedResult },
  { subject: string; edge: ContractEdge; mode: GateMode; reason: string }
>(/* GraphQL */ `
  mutation ContractSetEnforcement($subject: String!, $edge: ContractEdge!, $mode: GateMode!, $reason: String!) {
    contractSetEnforcement(subject: $subject, edge: $edge, mode: $mode, reason: $reason) {
      status reviewTask { id status }
    }
  }
`);
