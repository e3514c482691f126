import { type Actor, createManualClock, sequentialIds } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alice, publishAndInstall, trustPublisher } from './support.js';

// The spans of a run, asserted through the SDK's in-memory exporter. The host gets the provider
// through its `tracerProvider` option; nesting needs the async-hooks context manager, as in an app.
const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const hosts: ExtensionHost[] = [];
afterEach(async () => {
  while (hosts.length) await hosts.pop()?.close();
  exporter.reset();
});

async function newHost(options: Parameters<typeof createExtensionHost>[0] = {}): Promise<ExtensionHost> {
  const host = await createExtensionHost({
    database: 'memory',
    clock: createManualClock(Date.UTC(2026, 3, 1)),
    ids: sequentialIds(),
    sandbox: { poolSize: 1, isolation: 'process' },
    tracerProvider: provider,
    ...options,
  });
  hosts.push(host);
  await trustPublisher(host);
  await host.internals.graph.forOrg('acme').upsert({
    entities: [
      { id: 'e1', type: 'Organization', name: 'Acme Corporation', properties: {} },
      { id: 'e2', type: 'Organization', name: 'Acme Holdings', properties: {} },
    ],
  });
  return host;
}

const SEARCHER = `module.exports.run = async (input, api) => {
  const found = await api.graph.search({ q: input.q, limit: 10 });
  const again = await api.graph.search({ q: 'holdings', limit: 10 });
  return found.concat(again).map((e) => ({ id: e.id }));
};`;

interface Node {
  name: string;
  span: ReadableSpan;
  children: Node[];
}

/** The finished spans as trees (children in start order), rooted at spans without a recorded parent. */
function trees(): Node[] {
  const spans = exporter.getFinishedSpans();
  const byId = new Map<string, Node>(
    spans.map((s) => [s.spanContext().spanId, { name: s.name, span: s, children: [] }]),
  );
  const roots: Node[] = [];
  for (const node of byId.values()) {
    const parent = node.span.parentSpanContext?.spanId;
    const p = parent ? byId.get(parent) : undefined;
    if (p) p.children.push(node);
    else roots.push(node);
  }
  const order = (a: Node, b: Node) =>
    a.span.startTime[0] - b.span.startTime[0] || a.span.startTime[1] - b.span.startTime[1];
  for (const n of byId.values()) n.children.sort(order);
  return roots.sort(order);
}

function runTree(): Node {
  const run = trees().find((t) => t.name === 'intelgraph.plugin.run');
  if (!run) throw new Error(`no run span among ${exporter.getFinishedSpans().map((s) => s.name)}`);
  return run;
}

const names = (n: Node) => n.children.map((c) => c.name);
const child = (n: Node, name: string) => {
  const c = n.children.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} under ${n.name}: ${names(n)}`);
  return c;
};

describe('traces of plugin runs', () => {
  it.each(['process', 'in-process'] as const)(
    'a successful %s run: one span per step, one span per host call under the sandbox',
    async (isolation) => {
      const host = await newHost({ sandbox: { poolSize: 1, isolation } });
      await publishAndInstall(host, { name: 'searcher', capabilities: { graph: ['read'] } }, SEARCHER);
      exporter.reset();
      const r = await host.plugins.run(alice, 'searcher', { q: 'acme', note: 'secret' });
      expect(r.ok, JSON.stringify(r.error)).toBe(true);

      const run = runTree();
      expect(names(run)).toEqual([
        'intelgraph.plugin.admit',
        'intelgraph.quota.reserve',
        'intelgraph.sandbox.run',
        'intelgraph.finops.settle',
        'intelgraph.audit.append',
      ]);
      expect(run.span.attributes).toMatchObject({
        'intelgraph.org': 'acme',
        'intelgraph.plugin': 'searcher',
        'intelgraph.run.outcome': 'ok',
      });
      expect(run.span.attributes['intelgraph.run.id']).toEqual(expect.any(String));
      expect(run.span.status.code).not.toBe(SpanStatusCode.ERROR);

      const sandbox = child(run, 'intelgraph.sandbox.run');
      expect(names(sandbox)).toEqual(['intelgraph.host_call', 'intelgraph.host_call']);
      for (const call of sandbox.children) {
        expect(call.span.attributes).toMatchObject({
          'intelgraph.host_call.method': 'graph.search',
          'intelgraph.host_call.scope': 'graph:read',
          'intelgraph.host_call.outcome': 'ok',
        });
      }
      expect(sandbox.children.map((c) => c.span.attributes['intelgraph.host_call.rows'])).toEqual([2, 1]);
      expect(sandbox.span.attributes).toMatchObject({
        'intelgraph.sandbox.outcome': 'ok',
        'intelgraph.sandbox.host_calls': 2,
      });
      // Hygiene: the plugin's input and output never reach a span.
      const text = JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events]));
      expect(text).not.toContain('secret');
      expect(text).not.toContain('Acme Corporation');
    },
  );

  it('a quota denial: the reservation span fails with QUOTA_EXCEEDED and no sandbox span exists', async () => {
    const host = await newHost();
    await publishAndInstall(host, { name: 'searcher', capabilities: { graph: ['read'] } }, SEARCHER);
    await host.finops.setQuota(alice, { resource: 'calls', limit: 1, window: 'hour', mode: 'hard' });
    expect((await host.plugins.run(alice, 'searcher', { q: 'acme' })).ok).toBe(true);
    exporter.reset();
    const over = await host.plugins.run(alice, 'searcher', { q: 'acme' });
    expect(over.error?.code).toBe('QUOTA_EXCEEDED');

    const run = runTree();
    expect(names(run)).toEqual([
      'intelgraph.plugin.admit',
      'intelgraph.quota.reserve',
      'intelgraph.audit.append',
    ]);
    expect(run.span.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.span.attributes['intelgraph.error.code']).toBe('QUOTA_EXCEEDED');
    const quota = child(run, 'intelgraph.quota.reserve');
    expect(quota.span.status.code).toBe(SpanStatusCode.ERROR);
    expect(quota.span.attributes['intelgraph.error.code']).toBe('QUOTA_EXCEEDED');
    expect(quota.span.events.map((e) => e.name)).toContain('exception');
  });

  it('a budget failure: the sandbox span carries BUDGET_EXCEEDED, the run is still settled and audited', async () => {
    const host = await newHost();
    await publishAndInstall(
      host,
      { name: 'spinner', budgets: { ms: 300 } },
      'module.exports.run = async () => { for (;;) {} };',
    );
    exporter.reset();
    const r = await host.plugins.run(alice, 'spinner', {});
    expect(r.error?.code).toBe('BUDGET_EXCEEDED');

    const run = runTree();
    expect(names(run)).toEqual([
      'intelgraph.plugin.admit',
      'intelgraph.quota.reserve',
      'intelgraph.sandbox.run',
      'intelgraph.finops.settle',
      'intelgraph.audit.append',
    ]);
    const sandbox = child(run, 'intelgraph.sandbox.run');
    expect(sandbox.span.status.code).toBe(SpanStatusCode.ERROR);
    expect(sandbox.span.attributes['intelgraph.error.code']).toBe('BUDGET_EXCEEDED');
    expect(run.span.attributes['intelgraph.run.outcome']).toBe('BUDGET_EXCEEDED');
  });

  it('contract violations: the input contract span fails before the sandbox; the output one after it', async () => {
    const host = await newHost();
    await host.contracts.register(bob, {
      subject: 'query',
      format: 'json',
      schema: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } },
    });
    await host.contracts.register(bob, {
      subject: 'answer',
      format: 'json',
      schema: { type: 'array', items: { type: 'object', required: ['id'] } },
    });
    await publishAndInstall(
      host,
      { name: 'searcher', capabilities: { graph: ['read'] }, inputSchema: { subject: 'query' } },
      SEARCHER,
    );
    await publishAndInstall(
      host,
      { name: 'liar', outputSchema: { subject: 'answer' } },
      'module.exports.run = async () => [{ nope: 1 }];',
    );
    exporter.reset();
    expect((await host.plugins.run(alice, 'searcher', { query: 'acme' })).error?.code).toBe(
      'CONTRACT_VIOLATION',
    );
    let run = runTree();
    expect(names(run)).toEqual([
      'intelgraph.plugin.admit',
      'intelgraph.quota.reserve',
      'intelgraph.contract.input',
      'intelgraph.finops.settle',
      'intelgraph.audit.append',
    ]);
    expect(child(run, 'intelgraph.contract.input').span.attributes['intelgraph.error.code']).toBe(
      'CONTRACT_VIOLATION',
    );

    exporter.reset();
    expect((await host.plugins.run(alice, 'liar', {})).error?.code).toBe('CONTRACT_VIOLATION');
    run = runTree();
    expect(names(run)).toEqual([
      'intelgraph.plugin.admit',
      'intelgraph.quota.reserve',
      'intelgraph.sandbox.run',
      'intelgraph.contract.output',
      'intelgraph.finops.settle',
      'intelgraph.audit.append',
    ]);
    const output = child(run, 'intelgraph.contract.output');
    expect(output.span.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.span.attributes['intelgraph.error.code']).toBe('CONTRACT_VIOLATION');
  });

  it('a governed export: the gate span holds the request; the approval span holds the apply', async () => {
    const host = await newHost({
      policies: [{ kind: 'export', approvals: [{ count: 1, role: 'steward' }] }],
    });
    await host.contracts.register(bob, {
      subject: 'person',
      format: 'json',
      schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    });
    exporter.reset();
    const pending = await host.contracts.export(alice, 'person', [{ id: 'a' }, { id: 'b' }]);
    expect(pending.status).toBe('pending_review');
    const gate = trees().find((t) => t.name === 'intelgraph.edge.export');
    expect(gate?.span.attributes).toMatchObject({
      'intelgraph.org': 'acme',
      'intelgraph.contract.subject': 'person',
      'intelgraph.edge.status': 'pending_review',
    });
    const request = gate ? child(gate, 'intelgraph.governance.request') : undefined;
    expect(request?.span.attributes).toMatchObject({ 'intelgraph.review.state': 'pending' });

    exporter.reset();
    const approved = await host.governance.approve(bob, pending.reviewTask!.id);
    expect(approved.state).toBe('applied');
    const decide = trees().find((t) => t.name === 'intelgraph.governance.decide');
    expect(decide?.span.attributes).toMatchObject({
      'intelgraph.review.decision': 'approve',
      'intelgraph.review.state': 'applied',
    });
    const apply = decide ? child(decide, 'intelgraph.governance.apply') : undefined;
    expect(apply?.span.attributes).toMatchObject({
      'intelgraph.review.kind': 'export',
      'intelgraph.review.id': pending.reviewTask!.id,
    });
  });

  it('publish and install have spans of their own', async () => {
    const host = await newHost();
    await publishAndInstall(host, { name: 'searcher', capabilities: { graph: ['read'] } }, SEARCHER);
    const roots = trees().map((t) => t.name);
    expect(roots).toContain('intelgraph.marketplace.publish');
    expect(roots).toContain('intelgraph.marketplace.install');
  });
});
