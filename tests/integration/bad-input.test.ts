// Bad input everywhere: every public entry point of the host facade and every GraphQL
// mutation is fed malformed input — wrong types, huge strings, deep nesting, unicode edge cases (lone
// surrogates, RTL overrides, NUL) and prototype keys. Each must answer with a typed error (never
// INTERNAL, never an untyped throw, never a crash) and leave the stores as they were; the only writes
// allowed are the audit records of refusals (a denied run, a contract decision).
import type { Actor } from '@intelgraph/core';
import { isIntelGraphError } from '@intelgraph/core';
import type { ExtensionHost } from '@intelgraph/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../examples/demo/src/seed.js';
import { startTestServer, type TestServer } from './host/support.js';

const { alice, bob } = USERS;

/** Builds `{ a: { a: … } }` `depth` levels deep without recursion. */
function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/**
 * The hostile values. `benign` ones are valid data in free-text and JSON slots and may be accepted
 * there (a reason may quote a NUL or a broken surrogate; stored as given, it harms nobody), never in ids.
 */
const HOSTILE: { name: string; value: unknown; benign?: boolean }[] = [
  { name: 'number', value: 42 },
  { name: 'object', value: { a: 1 } },
  { name: 'array', value: [1, 'x', null] },
  { name: 'null', value: null },
  { name: 'huge string (1.1 MB)', value: 'x'.repeat(1_100_000) },
  { name: 'deep nesting (3000)', value: nested(3000) },
  { name: 'lone surrogate', value: 'ab\uD800cd', benign: true },
  { name: 'RTL override', value: 'invoice\u202Efdp.exe', benign: true },
  { name: 'NUL', value: 'a\u0000b', benign: true },
  { name: '__proto__ key', value: JSON.parse('{"__proto__":{"polluted":true},"id":"p1","name":"x"}') },
  { name: 'constructor key', value: { constructor: { prototype: { polluted: true } }, id: 'p1', name: 'x' } },
];

/** The slot kinds: which hostile values a slot may legitimately accept. */
type Slot = 'id' | 'text' | 'json' | 'other';

interface Entry {
  name: string;
  slot: Slot;
  /** Hostile values that are valid in this slot (a number is a fine quota limit). */
  valid?: string[];
  call: (host: ExtensionHost, v: unknown) => Promise<unknown>;
}

const anyOf = <T>(v: unknown) => v as T;
const reviewId = { current: '' };

/** Every facade entry point, with the hostile value in one argument. */
const FACADE: Entry[] = [
  {
    name: 'actor',
    slot: 'other',
    call: (h, v) => h.plugins.install(anyOf<Actor>(v), { pluginId: 'sample-enricher' }),
  },
  { name: 'publish(pkg)', slot: 'other', call: (h, v) => h.plugins.publish(alice, v) },
  { name: 'install(pluginId)', slot: 'id', call: (h, v) => h.plugins.install(alice, { pluginId: anyOf(v) }) },
  {
    name: 'install(grant)',
    slot: 'other',
    call: (h, v) => h.plugins.install(alice, { pluginId: 'geo-enricher', grant: anyOf(v) }),
  },
  { name: 'uninstall(pluginId)', slot: 'id', call: (h, v) => h.plugins.uninstall(alice, anyOf(v)) },
  {
    name: 'setOptionalScopes(scopes)',
    slot: 'other',
    call: (h, v) => h.plugins.setOptionalScopes(alice, 'sample-enricher', anyOf(v)),
  },
  {
    name: 'plugins.run(pluginId)',
    slot: 'id',
    call: (h, v) => h.plugins.run(alice, anyOf(v), { q: 'acme' }),
  },
  { name: 'plugins.run(input)', slot: 'json', call: (h, v) => h.plugins.run(alice, 'sample-enricher', v) },
  {
    name: 'registerContract(subject)',
    slot: 'id',
    call: (h, v) =>
      h.contracts.register(bob, { subject: anyOf(v), format: 'json', schema: { type: 'object' } }),
  },
  {
    name: 'registerContract(schema)',
    slot: 'other',
    // `{ a: 1 }` is a valid JSON Schema (an unknown keyword is ignored, kept as a warning).
    valid: ['object'],
    call: (h, v) => h.contracts.register(bob, { subject: 'bad-input', format: 'json', schema: v }),
  },
  {
    name: 'registerContract(format)',
    slot: 'other',
    call: (h, v) => h.contracts.register(bob, { subject: 'bad-input', format: anyOf(v), schema: {} }),
  },
  {
    name: 'testContract(records)',
    slot: 'other',
    call: (h, v) => h.contracts.test(alice, { subject: 'person', records: anyOf(v) }),
  },
  {
    name: 'ingest(subject)',
    slot: 'id',
    call: (h, v) => h.contracts.ingest(alice, anyOf(v), [{ id: 'p1', name: 'x' }]),
  },
  { name: 'ingest(batch)', slot: 'other', call: (h, v) => h.contracts.ingest(alice, 'person', anyOf(v)) },
  { name: 'ingest(record)', slot: 'json', call: (h, v) => h.contracts.ingest(alice, 'person', [v]) },
  { name: 'export(batch)', slot: 'other', call: (h, v) => h.contracts.export(alice, 'person', anyOf(v)) },
  {
    name: 'setEnforcement(mode)',
    slot: 'other',
    call: (h, v) =>
      h.contracts.setEnforcement(alice, { subject: 'person', edge: 'ingest', mode: anyOf(v), reason: 'r' }),
  },
  {
    name: 'mergeEntities(survivorId)',
    slot: 'id',
    call: (h, v) =>
      h.governance.mergeEntities(alice, { survivorId: anyOf(v), mergedId: 'org-acme', reason: 'r' }),
  },
  {
    name: 'request(kind)',
    slot: 'id',
    call: (h, v) => h.governance.request(alice, { kind: anyOf(v), payload: {}, reason: 'r' }),
  },
  {
    name: 'request(payload)',
    slot: 'other',
    call: (h, v) => h.governance.request(alice, { kind: 'policy_change', payload: anyOf(v), reason: 'r' }),
  },
  {
    name: 'request(payload) of a host-owned kind',
    slot: 'other',
    // Whatever the payload, a host-owned kind is refused before anything is stored.
    call: (h, v) => h.governance.request(alice, { kind: 'export', payload: anyOf(v), reason: 'r' }),
  },
  { name: 'installStatus(pluginId)', slot: 'id', call: (h, v) => h.plugins.status(alice, anyOf(v)) },
  {
    name: 'install(approvalRef)',
    slot: 'other',
    // Callers never pass an approval reference: only the applier of an approved review does.
    call: (h, v) => h.plugins.install(alice, anyOf({ pluginId: 'geo-enricher', approvalRef: v })),
  },
  {
    name: 'request(reason)',
    slot: 'text',
    call: (h, v) =>
      h.governance.request(alice, {
        kind: 'policy_change',
        payload: { kind: 'export', params: { maxRecords: 5 } },
        reason: anyOf(v),
      }),
  },
  { name: 'approve(id)', slot: 'id', call: (h, v) => h.governance.approve(bob, anyOf(v), {}) },
  {
    name: 'approve(note)',
    slot: 'text',
    call: (h, v) => h.governance.approve(alice, reviewId.current, { note: anyOf(v) }),
  },
  {
    name: 'deny(reason)',
    slot: 'text',
    call: (h, v) => h.governance.deny(alice, reviewId.current, { reason: anyOf(v) }),
  },
  { name: 'appeal(id)', slot: 'id', call: (h, v) => h.governance.appeal(alice, anyOf(v), { reason: 'r' }) },
  { name: 'usage(pluginId)', slot: 'id', call: (h, v) => h.finops.usage(alice, anyOf(v)) },
  { name: 'hint(pluginId)', slot: 'id', call: (h, v) => h.finops.hint(alice, anyOf(v)) },
  {
    name: 'killSwitch(target)',
    slot: 'id',
    call: (h, v) => h.finops.killSwitch(alice, { scope: 'plugin', target: anyOf(v), on: true, reason: 'r' }),
  },
  {
    name: 'killSwitch(scope)',
    slot: 'other',
    call: (h, v) => h.finops.killSwitch(alice, { scope: anyOf(v), on: true, reason: 'r' }),
  },
  {
    name: 'setQuota(limit)',
    slot: 'other',
    valid: ['number'],
    call: (h, v) =>
      h.finops.setQuota(alice, { resource: 'calls', limit: anyOf(v), window: 'day', mode: 'hard' }),
  },
  { name: 'plugins.stats(pluginId)', slot: 'id', call: (h, v) => h.plugins.stats(alice, anyOf(v)) },
  { name: 'auditTrail(subject)', slot: 'id', call: (h, v) => h.audit.trail(alice, anyOf(v), 10) },
  {
    name: 'contractDiff(subject)',
    slot: 'id',
    call: (h, v) => h.contracts.diff(alice, { subject: anyOf(v), from: 1, to: 2 }),
  },
  {
    name: 'applyPatch(patch)',
    slot: 'other',
    call: (h, v) =>
      h.contracts.applyPatch(alice, { subject: 'person', record: { id: 'p1', name: 'x' }, patch: anyOf(v) }),
  },
  { name: 'hintView(pluginId)', slot: 'id', call: (h, v) => h.finops.hintView(alice, anyOf(v)) },
];

const NEVER = ['INTERNAL'];

/** The state a refused call must leave untouched (audit records of refusals aside). */
async function fingerprint(host: ExtensionHost): Promise<string> {
  const audit: string[] = [];
  for (let after: number | undefined; ; ) {
    const page = await host.internals.audit.list({
      limit: 1000,
      ...(after === undefined ? {} : { afterSeq: after }),
    });
    for (const e of page)
      if (!/^(plugin\.run\.denied|contract\.(checked|decision|rejected|violation)|contract\.)/.test(e.type))
        audit.push(e.type);
    if (page.length < 1000) break;
    after = page.at(-1)?.seq;
  }
  const installs = await Promise.all(
    ['acme', 'globex'].map((o) => host.internals.marketplace.installations(o)),
  );
  const queue = await host.governance.queue(
    { userId: 'root', orgId: 'acme', roles: ['admin'] },
    { scope: 'org', limit: 200 },
  );
  return JSON.stringify({
    audit,
    installs: installs.map((l) => l.map((i) => [i.pluginId, i.version, i.status, i.grants])),
    reviews: queue.items.map((t) => [t.id, t.state, t.decisions.length]),
    quotas: await host.internals.finops.quotas.list('acme'),
    switches: await host.finops.killSwitches(alice),
    subjects: await host.internals.schemas.listSubjects(),
    catalog: (await host.internals.marketplace.list({ limit: 100 })).map((p) => [
      p.pluginId,
      p.latestVersion,
    ]),
  });
}

/** The code a call ended with: an IntelGraphError's code, a failed run's code, 'OK', or 'UNTYPED'. */
async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    const r = await fn();
    if (r && typeof r === 'object' && 'ok' in r && (r as { ok: unknown }).ok === false && 'error' in r)
      return String((r as { error?: { code?: string } }).error?.code ?? 'UNTYPED');
    // A batch refused by its contract is a typed answer too (issues with paths, nothing written).
    if (r && typeof r === 'object' && (r as { status?: unknown }).status === 'rejected')
      return 'CONTRACT_REJECTED';
    // A contract test run answers with a verdict per record.
    const tested = r as { status?: unknown; records?: { ok: boolean }[] } | null;
    if (tested?.status === 'tested' && tested.records?.some((x) => !x.ok)) return 'CONTRACT_FAILED';
    return 'OK';
  } catch (err) {
    return isIntelGraphError(err)
      ? err.code
      : `UNTYPED:${err instanceof Error ? err.message.slice(0, 120) : String(err)}`;
  }
}

interface Mutation {
  name: string;
  slot: Slot;
  query: string;
  variables: (v: unknown) => Record<string, unknown>;
  /** The actor (default alice). */
  as?: Actor;
  /** Hostile values that are valid in this slot. */
  valid?: string[];
}

const M = (
  name: string,
  slot: Slot,
  query: string,
  variables: Mutation['variables'],
  as?: Actor,
  valid?: string[],
): Mutation => ({
  name,
  slot,
  query,
  variables,
  ...(as ? { as } : {}),
  ...(valid ? { valid } : {}),
});

/** Every mutation of the schema, with the hostile value in one variable. */
const MUTATIONS: Mutation[] = [
  M('pluginInstall(id)', 'id', 'mutation($v: ID!) { pluginInstall(id: $v) { status } }', (v) => ({ v })),
  M(
    'pluginInstall(grant)',
    'other',
    'mutation($v: [String!]) { pluginInstall(id: "geo-enricher", grant: $v) { status } }',
    (v) => ({ v }),
    undefined,
    // grant is optional: null grants nothing optional.
    ['null'],
  ),
  M(
    'pluginGrant(scopes)',
    'other',
    'mutation($v: [String!]!) { pluginGrant(id: "sample-enricher", scopes: $v) { status } }',
    (v) => ({ v }),
  ),
  M(
    'pluginRevoke(scopes)',
    'other',
    'mutation($v: [String!]!) { pluginRevoke(id: "sample-enricher", scopes: $v) { pluginId } }',
    (v) => ({ v }),
  ),
  M('pluginUninstall(id)', 'id', 'mutation($v: ID!) { pluginUninstall(id: $v) }', (v) => ({ v })),
  M(
    'pluginRun(id)',
    'id',
    'mutation($v: ID!) { pluginRun(id: $v, input: {q: "acme"}) { ok error { code } } }',
    (v) => ({ v }),
  ),
  M(
    'pluginRun(input)',
    'json',
    'mutation($v: JSON!) { pluginRun(id: "sample-enricher", input: $v) { ok error { code } } }',
    (v) => ({ v }),
  ),
  M(
    'pluginRate(stars)',
    'other',
    'mutation($v: Int!) { pluginRate(id: "sample-enricher", stars: $v) { stars } }',
    (v) => ({ v }),
  ),
  M(
    'pluginRate(review)',
    'other',
    'mutation($v: String) { pluginRate(id: "no-such-plugin", stars: 4, review: $v) { stars } }',
    (v) => ({ v }),
  ),
  M(
    'pluginReport(category)',
    'other',
    'mutation($v: String!) { pluginReport(id: "sample-enricher", category: $v, reason: "r") { id } }',
    (v) => ({ v }),
  ),
  M(
    'requestPolicyChange(payload)',
    'other',
    'mutation($v: JSON!) { requestPolicyChange(kind: "export", payload: $v, reason: "r") { id } }',
    (v) => ({ v }),
    undefined,
    // Params must be ones the target policy declares, with their types (unknown names are INVALID_INPUT);
    // an object may still be accepted when it happens to fit.
    ['object'],
  ),
  M(
    'requestPolicyChange(kind)',
    'id',
    'mutation($v: String!) { requestPolicyChange(kind: $v, payload: {maxRecords: 5}, reason: "r") { id } }',
    (v) => ({ v }),
  ),
  M('reviewApprove(id)', 'id', 'mutation($v: ID!) { reviewApprove(id: $v) { id } }', (v) => ({ v }), bob),
  M(
    'reviewDeny(id)',
    'id',
    'mutation($v: ID!) { reviewDeny(id: $v, reason: "no") { id } }',
    (v) => ({ v }),
    bob,
  ),
  M('reviewAppeal(id)', 'id', 'mutation($v: ID!) { reviewAppeal(id: $v, reason: "r") { id } }', (v) => ({
    v,
  })),
  M('reviewWithdraw(id)', 'id', 'mutation($v: ID!) { reviewWithdraw(id: $v) { id } }', (v) => ({ v })),
  M('reviewRetryApply(id)', 'id', 'mutation($v: ID!) { reviewRetryApply(id: $v) { id } }', (v) => ({ v })),
  M(
    'contractRegister(schema)',
    'other',
    'mutation($v: JSON!) { contractRegister(subject: "bad-input", format: JSON, schema: $v) { version } }',
    (v) => ({ v }),
    bob,
  ),
  M(
    'contractRegister(subject)',
    'id',
    'mutation($v: String!) { contractRegister(subject: $v, format: JSON, schema: {type: "object"}) { version } }',
    (v) => ({ v }),
    bob,
  ),
  M(
    'contractSetEnforcement(subject)',
    'id',
    'mutation($v: String!) { contractSetEnforcement(subject: $v, edge: INGEST, mode: OFF, reason: "r") { status } }',
    (v) => ({ v }),
  ),
  M(
    'ingest(batch)',
    'other',
    'mutation($v: [JSON!]!) { ingest(subject: "person", batch: $v) { status } }',
    (v) => ({ v }),
  ),
  M(
    'ingest(record)',
    'json',
    'mutation($v: JSON!) { ingest(subject: "person", batch: [$v]) { status } }',
    (v) => ({ v }),
  ),
  M(
    'export(batch)',
    'other',
    'mutation($v: [JSON!]!) { export(subject: "person", batch: $v) { status } }',
    (v) => ({ v }),
  ),
  M('quotaSet(input)', 'other', 'mutation($v: QuotaInput!) { quotaSet(input: $v) { limit } }', (v) => ({
    v,
  })),
  M(
    'killSwitchSet(target)',
    'id',
    'mutation($v: String) { killSwitchSet(scope: PLUGIN, target: $v, on: true, reason: "r") { on } }',
    (v) => ({ v }),
  ),
];

/** The code a GraphQL answer ended with (the first error's, a typed failure in the data, or 'OK'). */
async function gqlOutcome(server: TestServer, m: Mutation, v: unknown): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-intelgraph-user': (m.as ?? alice).userId,
        'x-intelgraph-org': (m.as ?? alice).orgId,
        'x-intelgraph-roles': (m.as ?? alice).roles.join(','),
      },
      body: JSON.stringify({ query: m.query, variables: m.variables(v) }),
    });
  } catch (err) {
    return `UNTYPED:transport ${String(err)}`;
  }
  const body = (await res.json().catch(() => null)) as {
    data?: Record<string, Record<string, unknown> | null> | null;
    errors?: { extensions?: { code?: string } }[];
    error?: { code?: string };
  } | null;
  if (!body) return `UNTYPED:HTTP ${res.status} without JSON`;
  if (body.error) return body.error.code ?? `UNTYPED:HTTP ${res.status}`;
  if (body.errors?.length) return body.errors[0]?.extensions?.code ?? 'UNTYPED:no code';
  const result = Object.values(body.data ?? {})[0];
  if (result && typeof result === 'object') {
    if (result.ok === false) return String((result.error as { code?: string } | null)?.code ?? 'UNTYPED');
    if (result.status === 'rejected') return 'CONTRACT_REJECTED';
  }
  return 'OK';
}

describe('bad input everywhere', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await server.host.plugins.install(alice, { pluginId: 'sample-enricher' });
    // A pending review that alice (its requester) may neither approve nor deny, for the note/reason slots.
    const t = await server.host.governance.request(alice, {
      kind: 'policy_change',
      payload: { kind: 'export', params: { maxRecords: 3 } },
      reason: 'fixture',
    });
    reviewId.current = t.id;
  }, 120_000);
  afterAll(async () => server?.close());

  describe('host facade', () => {
    it.each(FACADE.map((e) => [e.name, e] as const))('%s', async (_, entry) => {
      const failures: string[] = [];
      for (const h of HOSTILE) {
        const before = await fingerprint(server.host);
        const code = await outcome(() => entry.call(server.host, h.value));
        const after = await fingerprint(server.host);
        const mayAccept =
          entry.valid?.includes(h.name) === true ||
          (h.benign === true && (entry.slot === 'text' || entry.slot === 'json')) ||
          (entry.slot === 'json' &&
            ['number', 'object', 'array', 'null', 'constructor key'].includes(h.name));
        if (code.startsWith('UNTYPED') || NEVER.includes(code)) failures.push(`${h.name}: ${code}`);
        else if (code === 'OK' && !mayAccept) failures.push(`${h.name}: accepted`);
        else if (code !== 'OK' && before !== after && entry.name !== 'plugins.run(input)')
          failures.push(`${h.name}: ${code} but the stores changed`);
      }
      expect(failures).toEqual([]);
      // Prototype keys never reached a prototype.
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });
  });

  describe('GraphQL mutations (over HTTP, through the Express router)', () => {
    it.each(MUTATIONS.map((m) => [m.name, m] as const))('%s', async (_, m) => {
      const failures: string[] = [];
      for (const h of HOSTILE) {
        const before = await fingerprint(server.host);
        const code = await gqlOutcome(server, m, h.value);
        const after = await fingerprint(server.host);
        const mayAccept =
          m.valid?.includes(h.name) === true ||
          (h.benign === true && (m.slot === 'text' || m.slot === 'json')) ||
          (m.slot === 'json' && ['number', 'object', 'array', 'null', 'constructor key'].includes(h.name));
        if (code.startsWith('UNTYPED') || NEVER.includes(code)) failures.push(`${h.name}: ${code}`);
        else if (code === 'OK' && !mayAccept) failures.push(`${h.name}: accepted`);
        else if (code !== 'OK' && before !== after && m.name !== 'pluginRun(input)')
          failures.push(`${h.name}: ${code} but the stores changed`);
      }
      expect(failures).toEqual([]);
    });

    it('answers a body over the limit with PAYLOAD_TOO_LARGE, and the server keeps serving', async () => {
      const code = await gqlOutcome(server, MUTATIONS.find((x) => x.name === 'pluginRun(input)')!, {
        q: 'y'.repeat(3_000_000),
      });
      expect(code).toBe('PAYLOAD_TOO_LARGE');
      const ok = await server.gql(alice, 'query { ping }');
      expect(ok.data).toEqual({ ping: true });
    });
  });
});
