import { createManualClock } from '@intelgraph/core';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpTestServer, startHttpServer } from '../http/support.js';
import { installEcho } from './support.js';

// A real HTTP request carrying a W3C `traceparent`: the run's spans join the caller's trace; and the
// `plugin_exec_ms` exemplars served by /metrics link to the runs' traces.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

function openMetrics(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

let server: HttpTestServer;
beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = await startHttpServer(
    {
      clock: createManualClock(Date.UTC(2026, 3, 1)),
      tracerProvider: provider,
      registry: openMetrics(),
    },
    { development: true },
  );
  const { host } = server;
  await installEcho(host);
});
afterAll(async () => {
  await server?.close();
  propagation.disable();
  context.disable();
});

async function runOverHttp(headers: Record<string, string>) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-intelgraph-user': 'alice',
      'x-intelgraph-org': 'acme',
      'x-intelgraph-roles': 'analyst',
      ...headers,
    },
    body: JSON.stringify({
      query: 'mutation { pluginRun(id: "echo", input: { n: 1 }) { ok error { code message } } }',
    }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ data: { pluginRun: { ok: true, error: null } } });
}

describe('the router honours traceparent', () => {
  it('a GraphQL pluginRun with a traceparent yields spans in the caller trace, under the caller span', async () => {
    exporter.reset();
    await runOverHttp({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` });
    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === 'intelgraph.plugin.run');
    expect(run?.spanContext().traceId).toBe(TRACE_ID);
    expect(run?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(run?.parentSpanContext?.isRemote).toBe(true);
    // Every span of the run is in that trace.
    expect(spans.length).toBeGreaterThanOrEqual(5);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([TRACE_ID]));
  });

  it('without a traceparent the run starts a trace of its own', async () => {
    exporter.reset();
    await runOverHttp({});
    const run = exporter.getFinishedSpans().find((s) => s.name === 'intelgraph.plugin.run');
    expect(run?.spanContext().traceId).not.toBe(TRACE_ID);
    expect(run?.parentSpanContext).toBeUndefined();
  });
});

describe('exemplars', () => {
  it('plugin_exec_ms carries the trace id of a sampled run, served as OpenMetrics', async () => {
    exporter.reset();
    await runOverHttp({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` });
    const res = await fetch(`${server.url}/metrics`, {
      headers: {
        accept: 'application/openmetrics-text; version=1.0.0',
        'x-intelgraph-user': 'ops',
        'x-intelgraph-org': 'acme',
        'x-intelgraph-roles': 'operator',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/openmetrics-text');
    const body = await res.text();
    const lines = body.split('\n').filter((l) => l.startsWith('plugin_exec_ms_bucket') && l.includes(' # {'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes(`traceId="${TRACE_ID}"`))).toBe(true);
    expect(body.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('an unsampled trace leaves no exemplar of its own', async () => {
    const unsampled = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    await runOverHttp({ traceparent: `00-${unsampled}-${PARENT_ID}-00` });
    const res = await fetch(`${server.url}/metrics`, {
      headers: { 'x-intelgraph-user': 'ops', 'x-intelgraph-org': 'acme', 'x-intelgraph-roles': 'operator' },
    });
    expect(await res.text()).not.toContain(unsampled);
  });
});
