export type { AlertHub, AlertListener, MemoryNotifier } from './alerts.js';
export { createAlertHub, createMemoryNotifier, toQuotaAlert } from './alerts.js';
export type { StripeAnswer, StripeErrorFields } from './billing-answer.js';
export {
  isDuplicateIdentifier,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  readStripeAnswer,
} from './billing-answer.js';
export type {
  BillingDeliveryAlert,
  BillingDispatcher,
  BillingDispatcherOptions,
  BillingDispatcherStatus,
  DispatchReport,
} from './billing-dispatcher.js';
export { createBillingDispatcher } from './billing-dispatcher.js';
export type { MeterEventPreflight } from './billing-preflight.js';
export { preflightMeterEvent, STRIPE_METER_EVENT_WINDOW } from './billing-preflight.js';
export type { StripeEndpoint } from './billing-stripe-client.js';
export { STRIPE_API_VERSION } from './billing-stripe-client.js';
export type { BudgetHint, FinOps, FinOpsOptions, RunTicket, SettledRun } from './finops.js';
export { createFinOps } from './finops.js';
export {
  AmountSchema,
  IdSchema,
  QuotaResourceSchema,
  QuotaScopeSchema,
  QuotaWindowSchema,
} from './input-schemas.js';
export type { KillSwitch, KillSwitchChange, KillSwitchLevel } from './kill-switch.js';
export {
  createKillSwitch,
  createMemoryKillSwitchStore,
  KILL_SWITCH_PRECEDENCE,
  killSwitchKey,
  killSwitchKeysFor,
  killSwitchLevel,
} from './kill-switch.js';
export type { GuardedLabel, LabelGuard, LabelGuardOptions } from './label-guard.js';
export { createLabelGuard, OTHER_LABEL } from './label-guard.js';
export { createMemoryBillingOutbox } from './memory-billing-outbox.js';
export { createMemoryQuotaStore } from './memory-quota-store.js';
export { createMemoryRateLimiter, gcraTake } from './memory-rate-limiter.js';
export type { BillingMeter, BillingMeterValue, MeterEventParams, MeterPayloadKeys } from './meter-events.js';
export {
  BillingMetersSchema,
  buildMeterEvents,
  DEFAULT_BILLING_METERS,
  meterEventForm,
  meterEventParams,
  staticCustomerMapping,
} from './meter-events.js';
export type { FinOpsMeters, RunMeasurement } from './meters.js';
export {
  APPROVAL_LATENCY_BUCKETS,
  createFinOpsMeters,
  FINOPS_METRIC_NAMES,
  PLUGIN_EXEC_MS_BUCKETS,
} from './meters.js';
export type { PriceBook, PriceTable } from './prices.js';
export { createPriceResolver, FREE_PRICES, PriceBookSchema, PriceTableSchema, priceUsage } from './prices.js';
export type {
  QuotaConsumeResult,
  QuotaDenial,
  QuotaFlag,
  QuotaReservation,
  QuotaRuleInput,
  Quotas,
  QuotaUsageView,
} from './quotas.js';
export { createQuotas, quotaExceededError } from './quotas.js';
export type { RollingSketch } from './rolling-sketch.js';
export { createRollingSketch } from './rolling-sketch.js';
export type { UsageHistory, UsageSketches } from './usage-history.js';
export { createUsageHistory } from './usage-history.js';
export type { WebhookNotifierOptions } from './webhook-notifier.js';
export { createWebhookNotifier } from './webhook-notifier.js';
export type { WindowFrame } from './windows.js';
export {
  alertWindowStart,
  fixedWindowFrame,
  fixedWindowFrames,
  quotaRuleKey,
  SLIDING_BUCKETS,
  SLIDING_WINDOW_MS,
} from './windows.js';
