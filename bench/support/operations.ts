// The operations of the load and soak mixes, as GraphQL requests with every argument in variables.
// The load mix is `pluginRun(sample-enricher, {q:"acme"})` and `requestPolicyChange`; here the policy change is the host's real one: the `export` policy's
// `maxRecords` threshold, which waits for a steward (so every request is a new pending review).
import type { Actor } from '@intelgraph/core';
import { USERS } from '../../examples/demo/src/seed.js';
import type { Operation, Step } from './mix.js';
import { CHURN_PLUGIN, LOAD_PLUGIN, NOOP_PLUGIN } from './stack.js';

const RUN = `mutation Run($id: ID!, $input: JSON!) { pluginRun(id: $id, input: $input) { ok error { code } } }`;
const POLICY = `mutation Policy($kind: String!, $payload: JSON!, $reason: String!) {
  requestPolicyChange(kind: $kind, payload: $payload, reason: $reason) { id status }
}`;
const PING = 'query Ping { ping }';
const INSTALL = `mutation Install($id: ID!) { pluginInstall(id: $id) { status } }`;
const UNINSTALL = `mutation Uninstall($id: ID!) { pluginUninstall(id: $id) }`;
const INGEST = `mutation Ingest($subject: String!, $batch: [JSON!]!) { ingest(subject: $subject, batch: $batch) { status accepted } }`;
const EXPORT = `mutation Export($subject: String!, $batch: [JSON!]!) {
  export(subject: $subject, batch: $batch) { status reviewTask { id } }
}`;
const APPROVE = `mutation Approve($id: ID!, $note: String) { reviewApprove(id: $id, note: $note) { id status } }`;

type Data = Record<string, unknown>;
const field = (data: Data, name: string) => (data[name] ?? null) as Record<string, unknown> | null;

let policySeq = 0;

/** `pluginRun(sample-enricher, { q: "acme" })` as alice (analyst in acme). */
export const pluginRunStep: Step = {
  name: 'pluginRun',
  actor: () => USERS.alice,
  build: () => ({ query: RUN, variables: { id: LOAD_PLUGIN, input: { q: 'acme' } } }),
  accept: (data) => {
    const r = field(data, 'pluginRun');
    if (r?.ok === true) return true;
    return String((r?.error as { code?: string } | null)?.code ?? 'RUN_NOT_OK');
  },
};

/**
 * `pluginRun(load-noop, {})` as alice: a plugin that returns at once and makes no host call, so its cost
 * is the run path's own (admission, quota, sandbox round trip, settle, bill, audit), a floor for the mix.
 */
export const noopRunStep: Step = {
  name: 'pluginRun (no-op plugin)',
  actor: () => USERS.alice,
  build: () => ({ query: RUN, variables: { id: NOOP_PLUGIN, input: {} } }),
  accept: pluginRunStep.accept,
};

/** `requestPolicyChange(kind: "export", payload: { maxRecords: N }, reason)` as alice. */
export const policyChangeStep: Step = {
  name: 'requestPolicyChange',
  actor: () => USERS.alice,
  build: () => ({
    query: POLICY,
    variables: {
      kind: 'export',
      payload: { maxRecords: 10 + (policySeq++ % 90) },
      reason: 'tighten export',
    },
  }),
  accept: (data) => {
    const t = field(data, 'requestPolicyChange');
    return typeof t?.id === 'string' && t.status === 'pending' ? true : `POLICY_STATE_${String(t?.status)}`;
  },
};

/** The no-op query the latencies are compared with. */
export const pingStep: Step = {
  name: 'ping',
  actor: () => USERS.alice,
  build: () => ({ query: PING }),
  accept: (data) => (data.ping === true ? true : 'PING_FALSE'),
};

/** An admin of a throwaway org per connection (installs never race each other). */
export const churnActor = (conn: { index: number }): Actor => ({
  userId: `churn-admin-${conn.index}`,
  orgId: `churn-${conn.index}`,
  roles: ['admin'],
});

const installStep: Step = {
  name: 'install',
  actor: churnActor,
  build: () => ({ query: INSTALL, variables: { id: CHURN_PLUGIN } }),
  accept: (data) => {
    const s = field(data, 'pluginInstall')?.status;
    return s === 'installed' ? true : `INSTALL_${String(s)}`;
  },
};

const uninstallStep: Step = {
  name: 'uninstall',
  actor: churnActor,
  build: () => ({ query: UNINSTALL, variables: { id: CHURN_PLUGIN } }),
  accept: (data) => (data.pluginUninstall === true ? true : 'UNINSTALL_FALSE'),
};

let ingestSeq = 0;
/** One valid `person` record; ids cycle through a bounded set, so the graph does not grow without end. */
const ingestStep: Step = {
  name: 'ingest',
  actor: () => USERS.alice,
  build: () => {
    const n = ingestSeq++ % 200;
    return {
      query: INGEST,
      variables: { subject: 'person', batch: [{ id: `soak-p-${n}`, name: `Soak Person ${n}` }] },
    };
  },
  accept: (data) => {
    const r = field(data, 'ingest');
    return r?.status === 'accepted' && r.accepted === 1 ? true : `INGEST_${String(r?.status)}`;
  },
};

/** Over the export policy's threshold (100 records), so every export waits for a steward. */
const EXPORT_BATCH = Array.from({ length: 101 }, (_, i) => ({ id: `exp-${i}`, name: `Export Person ${i}` }));

const exportStep: Step = {
  name: 'export',
  actor: () => USERS.alice,
  build: (conn) => {
    delete conn.values.reviewId;
    return { query: EXPORT, variables: { subject: 'person', batch: EXPORT_BATCH } };
  },
  accept: (data, conn) => {
    const r = field(data, 'export');
    const id = (r?.reviewTask as { id?: unknown } | null)?.id;
    if (r?.status !== 'pending_review' || typeof id !== 'string') return `EXPORT_${String(r?.status)}`;
    conn.values.reviewId = id;
    return true;
  },
};

/** bob (steward) approves the export his connection just requested; the applier delivers it. */
const approveStep: Step = {
  name: 'approve',
  actor: () => USERS.bob,
  build: (conn) =>
    typeof conn.values.reviewId === 'string'
      ? { query: APPROVE, variables: { id: conn.values.reviewId, note: 'soak approval' } }
      : null,
  accept: (data) => {
    const t = field(data, 'reviewApprove');
    return t?.status === 'applied' ? true : `APPROVE_${String(t?.status)}`;
  },
};

/**
 * The load mix: 20 connections of pluginRun and 20 of requestPolicyChange, plus one connection of
 * `query { ping }` for the baseline.
 */
export function loadMix(): Operation[] {
  return [
    { name: 'pluginRun', connections: 20, steps: [pluginRunStep] },
    { name: 'requestPolicyChange', connections: 20, steps: [policyChangeStep] },
    { name: 'ping', connections: 1, steps: [pingStep] },
  ];
}

/**
 * The soak mix, 40 connections: the load mix's two operations (16 runs, 12 policy changes) plus installs
 * and uninstalls (4), ingests (4) and export → approval cycles (4).
 */
export function soakMix(): Operation[] {
  return [
    { name: 'pluginRun', connections: 16, steps: [pluginRunStep] },
    { name: 'requestPolicyChange', connections: 12, steps: [policyChangeStep] },
    { name: 'install/uninstall', connections: 4, steps: [installStep, uninstallStep] },
    { name: 'ingest', connections: 4, steps: [ingestStep] },
    { name: 'export/approve', connections: 4, steps: [exportStep, approveStep] },
  ];
}
