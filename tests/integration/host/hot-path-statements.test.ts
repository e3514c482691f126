// The SQL round trips of the two operations of the load mix (pluginRun and requestPolicyChange), counted on PGlite. Each
// statement is a round trip to the database and its share of the loopback socket writes that a CPU
// profile of the server under load puts at about a fifth of its CPU (README, "Why the load target is
// missed"). The counts are a budget: a change that adds a statement to the hot path fails here and has
// to say why. It lives in the integration project: starting PGlite and a host costs tens of seconds on a
// busy machine, more than the unit project's limits allow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPGliteDatabase, type SqlDatabase, type SqlExecutor } from '@intelgraph/adapters/postgres';
import { type Actor, createManualClock, sequentialIds } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
const key = generatePublisherKeyPair();

/** A database that records the text of every statement it runs (transactions as BEGIN … COMMIT). */
function recording(db: SqlDatabase): { db: SqlDatabase; statements: string[] } {
  const statements: string[] = [];
  const wrap = (exec: SqlExecutor): SqlExecutor => ({
    query: (text, params) => {
      statements.push(text.replace(/\s+/g, ' ').trim());
      return exec.query(text, params);
    },
    exec: (script) => {
      statements.push(script.replace(/\s+/g, ' ').trim());
      return exec.exec(script);
    },
  });
  const recorded: SqlDatabase = {
    kind: db.kind,
    schema: db.schema,
    ...wrap(db),
    transaction: async (fn, options) => {
      statements.push('BEGIN');
      const result = await db.transaction((tx) => fn(wrap(tx)), options);
      statements.push('COMMIT');
      return result;
    },
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return { db: recorded, statements };
}

let dataDir: string;
let database: SqlDatabase;
let statements: string[];
let host: ExtensionHost;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ig-hot-path-'));
  const r = recording(await createPGliteDatabase({ dataDir: join(dataDir, 'pg') }));
  database = r.db;
  statements = r.statements;
  host = await createExtensionHost({
    database,
    clock: createManualClock(Date.UTC(2026, 3, 1)),
    ids: sequentialIds(),
    prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } },
    // Every settled run appends one billing event, as in the load mix.
    customers: { customerFor: async (org) => (org === 'acme' ? 'cus_acme' : null) },
    sandbox: { poolSize: 1 },
  });
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  const pkg = await signPluginPackage(
    {
      manifest: {
        name: 'searcher',
        version: '1.0.0',
        publisher: 'acme-labs',
        entry: 'index.js',
        capabilities: { graph: ['read'] },
        budgets: { ms: 2000 },
      },
      files: {
        'index.js':
          'module.exports.run = async (input, api) => (await api.graph.search({ q: input.q })).length;',
      },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
  expect((await host.plugins.install(alice, { pluginId: 'searcher' })).status).toBe('installed');
  // Starting PGlite and the host's sandbox took 25-45 s on a shared 2-core machine.
}, 120_000);

afterAll(async () => {
  await host?.close();
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The statements one call of `op` runs, after a first call has warmed caches. */
async function statementsOf(op: () => Promise<unknown>): Promise<string[]> {
  await op();
  statements.length = 0;
  await op();
  return statements.splice(0);
}

describe('SQL round trips of the load mix (PGlite)', () => {
  it('plugins.run: installation, grants, the plugin’s graph search, billing event and audit append: 5 statements, no transaction', async () => {
    const run = async () => {
      const r = await host.plugins.run(alice, 'searcher', { q: 'acme' });
      expect(r.ok).toBe(true);
    };
    const ran = await statementsOf(run);
    expect(ran).toHaveLength(5);
    expect(ran.filter((s) => /FROM ig_catalog_installations/.test(s))).toHaveLength(1);
    // The plugin's own host call: the graph lives on the host's database (the SQL graph store), one
    // statement per search.
    expect(ran.filter((s) => /JOIN ig_graph_words/.test(s))).toHaveLength(1);
    expect(ran.filter((s) => /FROM ig_grants_records/.test(s))).toHaveLength(1);
    expect(ran.filter((s) => /^INSERT INTO ig_billing_outbox/.test(s))).toHaveLength(1);
    expect(ran.filter((s) => /UPDATE ig_audit_head/.test(s))).toHaveLength(1);
    expect(ran).not.toContain('BEGIN');
    expect((await host.internals.audit.verify()).ok).toBe(true);
  });

  it('a policy change request: both policies, the review task and audit append: 4 statements', async () => {
    let n = 0;
    const request = async () => {
      n += 1;
      const task = await host.governance.request(alice, {
        kind: 'policy_change',
        payload: { kind: 'export', params: { maxRecords: 1000 + n } },
        reason: 'tighten export',
      });
      expect(task.state).toBe('pending');
    };
    const ran = await statementsOf(request);
    expect(ran).toHaveLength(4);
    expect(ran.filter((s) => /FROM ig_governance_policies/.test(s))).toHaveLength(2);
    expect(ran.filter((s) => /^INSERT INTO ig_governance_tasks/.test(s))).toHaveLength(1);
    expect(ran.filter((s) => /UPDATE ig_audit_head/.test(s))).toHaveLength(1);
    expect(ran).not.toContain('BEGIN');
  });
});
