import { IntelGraphError } from '@intelgraph/core';
import Stripe from 'stripe';
import type { MeterEventParams } from './meter-events.js';

/**
 * The Stripe API version billing delivery follows and sends (`Stripe-Version`), checked against
 * `POST /v1/billing/meter_events` (`PostBillingMeterEvents`) of that version. The SDK is pinned to the
 * release whose own default is this version, so the types and the wire agree.
 *
 * @example
 * ```ts
 * import { STRIPE_API_VERSION } from '@intelgraph/finops';
 * STRIPE_API_VERSION; // '2026-07-29.dahlia'
 * ```
 */
export const STRIPE_API_VERSION = '2026-07-29.dahlia' satisfies Stripe.LatestApiVersion;

/** Where the SDK sends requests: Stripe by default, or a local emulator in tests. */
export interface StripeEndpoint {
  /** Default `api.stripe.com`. */
  host?: string;
  port?: number;
  /** Default `https`; `http` only to a loopback host (a secret key never crosses a network in clear). */
  protocol?: 'https' | 'http';
}

/** The one SDK call billing delivery makes. */
export interface MeterEventSender {
  create(params: MeterEventParams, idempotencyKey: string): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Throws `INVALID_INPUT` for plain `http` to a host that is not loopback. */
export function assertEndpoint(endpoint: StripeEndpoint): void {
  if (endpoint.protocol === 'http' && !LOOPBACK.has(endpoint.host ?? 'api.stripe.com')) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'billing: protocol "http" is only allowed to a loopback host',
      {
        details: { host: endpoint.host },
      },
    );
  }
}

/** Builds the SDK client for one API key: no SDK retries (the outbox owns retries), no telemetry headers. */
export function createMeterEventSender(
  apiKey: string,
  endpoint: StripeEndpoint,
  timeoutMs: number,
): MeterEventSender {
  assertEndpoint(endpoint);
  const stripe = new Stripe(apiKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    appInfo: { name: '@intelgraph/finops' },
    ...(endpoint.host ? { host: endpoint.host } : {}),
    ...(endpoint.port ? { port: endpoint.port } : {}),
    ...(endpoint.protocol ? { protocol: endpoint.protocol } : {}),
  });
  return {
    async create(params, idempotencyKey) {
      await stripe.billing.meterEvents.create(params, { idempotencyKey });
    },
  };
}
