import type { GateDecision, GateEdge, RecordFinding } from '@intelgraph/contracts';
import {
  type Actor,
  type AuditTrail,
  type Clock,
  canonicalJson,
  digestJson,
  IntelGraphError,
} from '@intelgraph/core';
import type { Governance, GovernanceOwner, ReviewTaskView } from '@intelgraph/governance';
import type { ContractGates } from './contract-gates.js';
import { HOST_REVIEW_KINDS } from './policies.js';
import type { HostKindPayload } from './review-kinds.js';

/** The outcome of an ingest, export or contract test. */
export interface EdgeResult {
  /** `accepted`, `rejected` (nothing written), `tested` (dry run) or `pending_review` (export over threshold). */
  status: 'accepted' | 'rejected' | 'tested' | 'pending_review';
  subject: string;
  version: number | null;
  accepted: number;
  rejected: number;
  /** Every record's verdict: issues with paths, warnings, and the suggested mapping patch for failing ones. */
  records: EdgeRecordResult[];
  reviewTask: ReviewTaskView | null;
}

/** One record's verdict. */
export interface EdgeRecordResult {
  index: number;
  ok: boolean;
  errors: { code: string; path: string; message: string }[];
  warnings: { code: string; path: string; message: string }[];
  patch: { op: string; path: string; from?: string; value?: unknown; reason: string; confidence: number }[];
  /** The record with the suggested patch applied, and whether that validates. */
  patched?: unknown;
  patchValid?: boolean;
}

/** Dependencies of {@link runEdge}. */
export interface EdgeDeps {
  gates: ContractGates;
  audit: AuditTrail;
  governance: Governance;
  /** The owner token of the host's review kinds (exports are a host-owned kind). */
  owner?: GovernanceOwner;
  clock: Clock;
  ingestSink: (batch: { orgId: string; subject: string; records: unknown[] }) => Promise<void> | void;
}

const MAX_BATCH = 10_000;

function recordResult(f: RecordFinding): EdgeRecordResult {
  const s = f.suggestion;
  const out: EdgeRecordResult = {
    index: f.index,
    ok: f.ok,
    errors: f.issues.map((i) => ({ code: i.code, path: i.path, message: i.message })),
    warnings: f.warnings.map((i) => ({ code: i.code, path: i.path, message: i.message })),
    patch: s?.ok ? s.patch.map((op) => ({ ...op })) : [],
  };
  // The contracts package only ever suggests a patch it has proven to validate.
  if (!f.ok && s?.ok) {
    out.patched = s.value;
    out.patchValid = true;
  }
  return out;
}

/**
 * Ingest, export or test a batch under a contract. A failing batch is rejected whole
 * and nothing is written; each failing record carries its errors and a suggested mapping patch. An
 * export that passes its contract is a governed request: under the policy's threshold it is approved by
 * the policy itself (decided and audited), over it it waits for a reviewer. The batch travels with the
 * review as a content-addressed attachment, so the approved export is exactly what was requested.
 */
export async function runEdge(
  deps: EdgeDeps,
  actor: Actor,
  input: {
    edge: GateEdge;
    subject: string;
    version?: number | undefined;
    records: unknown[];
    dryRun?: boolean;
    destination?: string | null;
    reason?: string | undefined;
    /** Export only: the version to deliver (migrated down at apply), and the path check made first. */
    deliver?: { version: number; check: () => Promise<unknown> };
  },
): Promise<EdgeResult> {
  if (!Array.isArray(input.records))
    throw new IntelGraphError('INVALID_INPUT', 'a batch must be an array of records');
  if (input.records.length === 0)
    throw new IntelGraphError('INVALID_INPUT', 'a batch needs at least one record');
  if (input.records.length > MAX_BATCH) {
    throw new IntelGraphError('PAYLOAD_TOO_LARGE', `a batch holds at most ${MAX_BATCH} records`, {
      details: { limit: MAX_BATCH, observed: input.records.length },
    });
  }
  const decision: GateDecision = await deps.gates.check(
    input.edge,
    { subject: input.subject, ...(input.version === undefined ? {} : { version: input.version }) },
    input.records,
    actor,
  );
  const records = decision.findings.map(recordResult);
  const base = {
    subject: decision.subject,
    version: decision.version,
    accepted: decision.ok ? decision.total : decision.total - decision.failed,
    rejected: decision.ok ? 0 : decision.failed,
    records,
    reviewTask: null,
  };
  if (input.dryRun) return { ...base, status: 'tested' };
  if (!decision.ok) return { ...base, accepted: 0, rejected: decision.total, status: 'rejected' };

  const values = decision.values;
  if (input.edge === 'ingest') {
    await deps.ingestSink({ orgId: actor.orgId, subject: input.subject, records: values });
    await deps.audit.record({
      type: 'ingest.accepted',
      actor: { userId: actor.userId, orgId: actor.orgId },
      subject: `contract:${input.subject}`,
      orgId: actor.orgId,
      data: { records: values.length, version: decision.version, digest: digestJson(values) },
    });
    return { ...base, status: 'accepted' };
  }

  // The payload is built here, from the checked batch: the count the policy's threshold sees is the
  // batch's own, and the batch travels as the attachment whose address is `digest`. The requester is
  // the authenticated actor governance records, never a payload field.
  if (input.deliver) await input.deliver.check();
  const payload: HostKindPayload<'export'> = {
    subject: input.subject,
    records: values.length,
    destination: input.destination ?? null,
    digest: digestJson(values),
    ...(input.deliver ? { version: input.deliver.version } : {}),
  };
  const task = await deps.governance.request(
    actor,
    {
      kind: HOST_REVIEW_KINDS.export,
      reason: input.reason ?? `export ${values.length} ${input.subject} record(s)`,
      payload,
      evidence: [
        { name: 'export-batch.json', mediaType: 'application/json', content: canonicalJson(values) },
      ],
    },
    deps.owner ? { owner: deps.owner } : {},
  );
  if (task.state === 'pending') return { ...base, status: 'pending_review', reviewTask: task };
  if (task.state !== 'applied') {
    throw new IntelGraphError('CONFLICT', `export review ${task.id} ended ${task.state}`, {
      details: { state: task.state, apply: task.apply },
    });
  }
  return { ...base, status: 'accepted', reviewTask: task };
}
