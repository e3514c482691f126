import { type Metric, Registry, type RegistryContentType } from 'prom-client';

/** The two exposition formats `/metrics` serves. */
export type MetricsFormat = 'prometheus' | 'openmetrics';

/**
 * Picks the exposition format for an `Accept` header: OpenMetrics when `application/openmetrics-text`
 * is accepted at least as much as plain text (`text/plain`, `text/*`, `*∕*`), else Prometheus text
 * 0.0.4 (also for a missing or unusable header). Media type parameters other than `q` (`version`,
 * Prometheus 3's `escaping`) are ignored: `req.accepts()` would require them to match exactly, and
 * Prometheus 3 would then be served the older format.
 *
 * @example
 * ```ts
 * metricsFormatFor('application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*∕*;q=0.2');
 * // 'openmetrics'
 * metricsFormatFor(undefined); // 'prometheus'
 * ```
 */
export function metricsFormatFor(accept: string | undefined): MetricsFormat {
  if (!accept) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const entry of accept.slice(0, 4096).split(',')) {
    const [type = '', ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

/** Serves one prom-client registry in both exposition formats (see {@link createMetricsExposition}). */
export interface MetricsExposition {
  render(format: MetricsFormat): Promise<{ contentType: string; body: string }>;
}

interface CounterLike {
  name: string;
  type?: string;
}

/**
 * Serves the metrics of `registry` as Prometheus text 0.0.4 or OpenMetrics 1.0.0. A prom-client
 * registry has one fixed content type, so the other format comes from a second registry holding the
 * same metric objects, refilled on every scrape (so metrics registered later are served too). Exemplars
 * appear in OpenMetrics only: prom-client writes them for that content type alone.
 *
 * Two prom-client details are handled here: an OpenMetrics render renames counters in place (it drops
 * their `_total`, which the samples get back), so a Prometheus render first restores the registered
 * name; and since renders await collectors, they run one at a time so neither sees the other's names.
 * Default labels set on `registry` apply to its own format only.
 *
 * @example
 * ```ts
 * const exposition = createMetricsExposition(host.metrics);
 * const { contentType, body } = await exposition.render(metricsFormatFor(req.get('accept')));
 * ```
 */
export function createMetricsExposition(registry: Registry<RegistryContentType>): MetricsExposition {
  const contentTypes: Record<MetricsFormat, RegistryContentType> = {
    prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
    openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
  };
  const view = (format: MetricsFormat) => {
    const r = new Registry<RegistryContentType>();
    r.setContentType(contentTypes[format]);
    return r;
  };
  const views: Record<MetricsFormat, Registry<RegistryContentType>> = {
    prometheus: view('prometheus'),
    openmetrics: view('openmetrics'),
  };
  const restoreCounterNames = () => {
    for (const metric of registry.getMetricsAsArray() as unknown as CounterLike[]) {
      if (metric.type !== 'counter') continue;
      const registered = `${metric.name}_total`;
      if (
        (registry.getSingleMetric(metric.name) as unknown) !== metric &&
        (registry.getSingleMetric(registered) as unknown) === metric
      )
        metric.name = registered;
    }
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    render(format) {
      const run = queue.then(async () => {
        const contentType = contentTypes[format];
        let target = registry;
        if (registry.contentType !== contentType) {
          target = views[format];
          target.clear();
          for (const metric of registry.getMetricsAsArray())
            target.registerMetric(metric as unknown as Metric);
        }
        if (format === 'prometheus') restoreCounterNames();
        return { contentType, body: await target.metrics() };
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
