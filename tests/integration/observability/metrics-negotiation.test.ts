// `/metrics` over real HTTP: `Accept: application/openmetrics-text` gets OpenMetrics with the
// `plugin_exec_ms` exemplars; anything else gets Prometheus text 0.0.4, which must parse strictly and
// carries no exemplar, whichever format the host's registry itself has.
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

const provider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
});
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PROMETHEUS = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
// What Prometheus 3 sends by default (its `escaping` parameter must not defeat the negotiation).
const PROMETHEUS_3_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\n"])*"';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? ${VALUE}(?: -?\\d+)?$`);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count', ''],
};

/**
 * A strict reader of the Prometheus text format 0.0.4: every line is a `# HELP`, a `# TYPE`, a
 * comment or a sample of a family typed before it, with nothing after the value but a timestamp.
 * Returns the sample names by family; throws on the first line that does not follow the format.
 */
function parsePrometheusText(body: string): Map<string, string[]> {
  const types = new Map<string, string>();
  const samples = new Map<string, string[]>();
  for (const [i, line] of body.split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      if (!new RegExp(`^${NAME}$`).test(meta[2] ?? '')) throw new Error(`bad metric name, ${where}`);
      if (meta[1] === 'TYPE') {
        if (!/^(counter|gauge|histogram|summary|untyped)$/.test(meta[3] ?? ''))
          throw new Error(`bad type, ${where}`);
        types.set(meta[2] ?? '', meta[3] ?? '');
      }
      continue;
    }
    if (line === '# EOF') throw new Error(`OpenMetrics terminator in Prometheus text, ${where}`);
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample, ${where}`);
    const name = m[1] ?? '';
    const family = [...types.entries()].find(([f, type]) =>
      (SUFFIXES[type] ?? ['']).some((suffix) => name === `${f}${suffix}`),
    )?.[0];
    if (!family) throw new Error(`sample of an untyped family, ${where}`);
    samples.set(family, [...(samples.get(family) ?? []), name]);
  }
  return samples;
}

function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  propagation.disable();
  context.disable();
});

describe.each([
  { registry: 'the default (Prometheus-format) registry', make: () => ({}) },
  { registry: 'an OpenMetrics registry', make: () => ({ registry: openMetricsRegistry() }) },
])('/metrics negotiation with $registry', ({ make }) => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer(
      {
        database: 'memory',
        sandbox: { poolSize: 1, isolation: 'in-process' },
        clock: createManualClock(Date.UTC(2026, 3, 1)),
        tracerProvider: provider,
        ...make(),
      },
      { development: true },
    );
    const { host } = server;
    await installEcho(host);
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-intelgraph-user': 'alice',
        'x-intelgraph-org': 'acme',
        'x-intelgraph-roles': 'analyst',
        traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01`,
      },
      body: JSON.stringify({ query: 'mutation { pluginRun(id: "echo", input: { n: 1 }) { ok } }' }),
    });
    expect(await res.json()).toEqual({ data: { pluginRun: { ok: true } } });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const scrape = async (accept?: string) => {
    const res = await fetch(`${server.url}/metrics`, {
      headers: {
        ...(accept ? { accept } : {}),
        'x-intelgraph-user': 'ops',
        'x-intelgraph-org': 'acme',
        'x-intelgraph-roles': 'operator',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('vary')).toContain('Accept');
    return { contentType: res.headers.get('content-type'), body: await res.text() };
  };

  it('Accept: application/openmetrics-text gets OpenMetrics, with the run trace as an exemplar', async () => {
    for (const accept of ['application/openmetrics-text', PROMETHEUS_3_ACCEPT]) {
      const { contentType, body } = await scrape(accept);
      expect(contentType).toBe(OPENMETRICS);
      expect(body.endsWith('# EOF\n')).toBe(true);
      const exemplars = body
        .split('\n')
        .filter((l) => l.startsWith('plugin_exec_ms_bucket') && l.includes(' # {'));
      expect(exemplars.some((l) => l.includes(`traceId="${TRACE_ID}"`))).toBe(true);
      // Counters are families without `_total`, their samples with it.
      expect(body).toContain('# TYPE plugin_cpu_ms counter');
      expect(body).toMatch(/^plugin_cpu_ms_total\{/m);
    }
  });

  it('anything else gets Prometheus text 0.0.4 that parses, without exemplars, even after an OpenMetrics scrape', async () => {
    await scrape('application/openmetrics-text');
    for (const accept of [
      undefined,
      '*/*',
      'text/plain',
      'application/json',
      'text/plain, application/openmetrics-text;q=0.5',
    ]) {
      const { contentType, body } = await scrape(accept);
      expect(contentType, String(accept)).toBe(PROMETHEUS);
      const families = parsePrometheusText(body);
      expect(body).not.toContain(' # {');
      expect(body).not.toContain(TRACE_ID);
      expect(families.get('plugin_exec_ms')).toContain('plugin_exec_ms_bucket');
      // The OpenMetrics render renamed the counter in place; the Prometheus text keeps its name.
      expect(body).toContain('# TYPE plugin_cpu_ms_total counter');
      expect(families.get('plugin_cpu_ms_total')).toContain('plugin_cpu_ms_total');
    }
  });

  it('concurrent scrapes of both formats each stay well-formed', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => scrape(i % 2 ? 'application/openmetrics-text' : 'text/plain')),
    );
    for (const [i, r] of results.entries()) {
      if (i % 2) {
        expect(r.body).toContain('# TYPE plugin_cpu_ms counter');
        expect(r.body).not.toContain('plugin_cpu_ms_total_total');
      } else {
        expect(() => parsePrometheusText(r.body)).not.toThrow();
        expect(r.body).toContain('# TYPE plugin_cpu_ms_total counter');
      }
    }
  });
});
