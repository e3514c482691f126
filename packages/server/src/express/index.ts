export type { MetricsExposition, MetricsFormat } from './metrics-exposition.js';
export { createMetricsExposition, metricsFormatFor } from './metrics-exposition.js';
export type { AuthHook, ExpressRouterOptions, IntelGraphRouter } from './router.js';
export { createExpressRouter, developmentActor } from './router.js';
