// Tracing overhead, measured inside bench/sandbox: the same warm `host.plugins.run` runs (default
// isolation, one host call each) with no OpenTelemetry SDK (the API's no-op path and no context
// manager: what a host that does not trace pays) and with an SDK registered (a BasicTracerProvider,
// every span sampled, a BatchSpanProcessor whose exporter drops the spans, and the async-hooks context
// manager: the cost of the spans, not of an exporter's network). Both hosts live in one process and
// the two setups alternate in blocks, so the machine's drift falls on both alike.
import { readFileSync } from 'node:fs';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { context, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Latency and CPU of one setup. */
export interface TracingStat {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** CPU of this process and the host's sandbox workers, per run. */
  cpuUsPerRun: number;
}

/** What {@link measureTracingOverhead} reports. */
export interface TracingOverhead {
  noSdk: TracingStat;
  withSdk: TracingStat;
  spansPerRun: number;
  blocks: number;
  /** withSdk / noSdk. */
  ratio: { p50: number; p95: number; cpu: number };
}

const alice = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

function workersCpuUs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the worker has exited
    }
  }
  return ticks * 10_000;
}

async function newHost(tracerProvider?: TracerProvider): Promise<ExtensionHost> {
  const key = generatePublisherKeyPair();
  const host = await createExtensionHost({
    database: 'memory',
    ...(tracerProvider ? { tracerProvider } : {}),
  });
  await host.internals.marketplace.trustKey(
    { userId: 'p', orgId: 'intelgraph', roles: ['marketplace-admin'] },
    'acme-labs',
    publicKeyPem(key.privateKeyPem),
  );
  await host.internals.graph
    .forOrg('acme')
    .upsert({ entities: [{ id: 'e1', type: 'Organization', name: 'Acme', properties: {} }] });
  const pkg = await signPluginPackage(
    {
      manifest: {
        name: 'searcher',
        version: '1.0.0',
        entry: 'index.js',
        publisher: 'acme-labs',
        capabilities: { graph: ['read'] },
      },
      files: {
        'index.js':
          'module.exports.run = async (input, api) => (await api.graph.search({ q: input.q, limit: 5 })).length;',
      },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
  await host.plugins.install(alice, { pluginId: 'searcher' });
  return host;
}

interface Samples {
  ms: number[];
  cpuUs: number;
}

async function block(host: ExtensionHost, runs: number, into: Samples | null): Promise<void> {
  const pids = host.internals.sandbox.stats().workerPids ?? [];
  const cpu0 = process.cpuUsage();
  const workers0 = workersCpuUs(pids);
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await host.plugins.run(alice, 'searcher', { q: 'acme' });
    into?.ms.push(performance.now() - t);
    if (!r.ok) throw new Error(`run failed: ${r.error.code}`);
  }
  const cpu = process.cpuUsage(cpu0);
  if (into) into.cpuUs += cpu.user + cpu.system + (workersCpuUs(pids) - workers0);
}

const stat = (s: Samples): TracingStat => {
  const sorted = [...s.ms].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    p50Ms: round(pct(sorted, 0.5)),
    p95Ms: round(pct(sorted, 0.95)),
    p99Ms: round(pct(sorted, 0.99)),
    cpuUsPerRun: Math.round(s.cpuUs / Math.max(1, sorted.length)),
  };
};

/**
 * Runs `runs` warm `host.plugins.run` calls per setup (after `warmup` each), alternating the setups in
 * `blocks` blocks.
 *
 * @example
 * ```ts
 * const overhead = await measureTracingOverhead({ runs: 2000, warmup: 300, blocks: 4 });
 * overhead.ratio.p50; // SDK p50 / no-SDK p50
 * ```
 */
export async function measureTracingOverhead(options: {
  runs: number;
  warmup: number;
  blocks: number;
}): Promise<TracingOverhead> {
  let exported = 0;
  const dropping: SpanExporter = {
    export(spans, done) {
      exported += spans.length;
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });
  const contextManager = new AsyncLocalStorageContextManager();
  const bare = await newHost();
  const traced = await newHost(provider);
  const withSdk = async <T>(fn: () => Promise<T>): Promise<T> => {
    context.setGlobalContextManager(contextManager.enable());
    try {
      return await fn();
    } finally {
      contextManager.disable();
      context.disable();
    }
  };
  const none: Samples = { ms: [], cpuUs: 0 };
  const sdk: Samples = { ms: [], cpuUs: 0 };
  try {
    await block(bare, options.warmup, null);
    await withSdk(() => block(traced, options.warmup, null));
    const per = Math.max(1, Math.floor(options.runs / options.blocks));
    for (let b = 0; b < options.blocks; b++) {
      await block(bare, per, none);
      await withSdk(() => block(traced, per, sdk));
    }
    await provider.forceFlush();
  } finally {
    await bare.close();
    await traced.close();
    await provider.shutdown();
  }
  const noSdkStat = stat(none);
  const sdkStat = stat(sdk);
  const ratio = (a: number, b: number) => round(a / Math.max(b, 0.001), 3);
  return {
    noSdk: noSdkStat,
    withSdk: sdkStat,
    spansPerRun: round(exported / (sdkStat.runs + options.warmup), 2),
    blocks: options.blocks,
    ratio: {
      p50: ratio(sdkStat.p50Ms, noSdkStat.p50Ms),
      p95: ratio(sdkStat.p95Ms, noSdkStat.p95Ms),
      cpu: ratio(sdkStat.cpuUsPerRun, noSdkStat.cpuUsPerRun),
    },
  };
}

/**
 * The Markdown section of the sandbox report for {@link measureTracingOverhead}'s result.
 *
 * @example
 * ```ts
 * const md = tracingOverheadMarkdown(await measureTracingOverhead({ runs: 300, warmup: 50, blocks: 2 }));
 * ```
 */
export function tracingOverheadMarkdown(t: TracingOverhead): string {
  const row = (name: string, s: TracingStat) =>
    `| ${name} | ${s.runs} | ${s.p50Ms} | ${s.p95Ms} | ${s.p99Ms} | ${s.cpuUsPerRun} |`;
  return `## Tracing overhead (warm \`host.plugins.run\`, default isolation, 1 host call)

The same warm runs with no OpenTelemetry SDK and with one registered (${t.spansPerRun} spans per run, all
sampled, batch processor, an exporter that drops them), alternating in ${t.blocks} blocks in one process.
CPU counts this process and the host's sandbox workers.

| setup | runs | p50 ms | p95 ms | p99 ms | CPU µs/run |
| --- | ---: | ---: | ---: | ---: | ---: |
${row('no SDK (no-op API, no context manager)', t.noSdk)}
${row('SDK registered (BasicTracerProvider, async-hooks context manager)', t.withSdk)}

SDK / no SDK: p50 × ${t.ratio.p50}, p95 × ${t.ratio.p95}, CPU × ${t.ratio.cpu}.
`;
}
