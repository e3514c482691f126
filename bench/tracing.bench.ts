// Tracing overhead benchmark: warm `host.runPlugin` runs (embedded host, default process isolation,
// one worker, one host call per run), in the same process:
//  1. no OpenTelemetry SDK and no context manager: the API's no-op path (what a host that does not
//     trace pays);
//  2. an SDK registered: a BasicTracerProvider with a BatchSpanProcessor and an exporter that drops
//     the spans, every span sampled, and the async-hooks context manager (the cost of the spans
//     themselves, not of an exporter's network);
//  3. no SDK again, but with the context manager left registered (drift check).
// Run: ./run pnpm exec node --no-node-snapshot --conditions=source --import tsx bench/tracing.bench.ts
// Knobs: TRACING_BENCH_RUNS (default 2000), TRACING_BENCH_WARMUP (200).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { context, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

const RUNS = Number(process.env.TRACING_BENCH_RUNS ?? 2000);
const WARMUP = Number(process.env.TRACING_BENCH_WARMUP ?? 200);
const key = generatePublisherKeyPair();
const alice = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };

async function newHost(tracerProvider?: TracerProvider): Promise<ExtensionHost> {
  const host = await createExtensionHost({
    database: 'memory',
    sandbox: { poolSize: 1 },
    ...(tracerProvider ? { tracerProvider } : {}),
  });
  await host.marketplace.trustKey(
    { userId: 'p', orgId: 'intelgraph', roles: ['marketplace-admin'] },
    'acme-labs',
    publicKeyPem(key.privateKeyPem),
  );
  await host.graph
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
  await host.publish(null, pkg);
  await host.install(alice, { pluginId: 'searcher' });
  return host;
}

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

async function measure(host: ExtensionHost) {
  for (let i = 0; i < WARMUP; i++) await host.runPlugin(alice, 'searcher', { q: 'acme' });
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = await host.runPlugin(alice, 'searcher', { q: 'acme' });
    ms.push(performance.now() - t);
    if (!r.ok) throw new Error(`run failed: ${r.error.code}`);
  }
  const cpu = process.cpuUsage(cpu0);
  ms.sort((a, b) => a - b);
  return {
    runs: RUNS,
    p50Ms: round(pct(ms, 0.5)),
    p95Ms: round(pct(ms, 0.95)),
    p99Ms: round(pct(ms, 0.99)),
    hostCpuUsPerRun: round((cpu.user + cpu.system) / RUNS, 1),
  };
}

let spansExported = 0;
const dropping: SpanExporter = {
  export(spans, done) {
    spansExported += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => {},
};

const bare = await newHost();
const noSdk = await measure(bare);
await bare.close();

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });
const traced = await newHost(provider);
const withSdk = await measure(traced);
await provider.forceFlush();
await traced.close();

const again = await newHost();
const noSdkAfter = await measure(again);
await again.close();

const result = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, loadavg: loadavg().map((l) => round(l, 2)) },
  noSdk,
  withSdk,
  noSdkWithContextManager: noSdkAfter,
  spansPerRun: round(spansExported / (RUNS + WARMUP), 2),
};
const md = [
  '# Tracing overhead (host.runPlugin, warm, process isolation, one host call)',
  '',
  `${RUNS} runs each after ${WARMUP} warm-up runs, same process; load average ${result.machine.loadavg.join(' / ')} on ${result.machine.cpus} CPUs.`,
  '',
  '| setup | p50 ms | p95 ms | p99 ms | host CPU µs/run |',
  '| --- | --- | --- | --- | --- |',
  ...(
    [
      ['no SDK (no-op API)', noSdk],
      [`SDK registered (${result.spansPerRun} spans/run, all sampled, batch processor)`, withSdk],
      ['no SDK, context manager still registered', noSdkAfter],
    ] as const
  ).map(([name, s]) => `| ${name} | ${s.p50Ms} | ${s.p95Ms} | ${s.p99Ms} | ${s.hostCpuUsPerRun} |`),
  '',
].join('\n');
writeFileSync('bench/results/tracing.json', `${JSON.stringify(result, null, 2)}\n`);
writeFileSync('bench/results/tracing.md', md);
console.log(md);
console.log('wrote bench/results/tracing.json and tracing.md');
