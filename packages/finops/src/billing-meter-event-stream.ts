import type { Clock } from '@intelgraph/core';
import Stripe from 'stripe';
import { assertEndpoint, STRIPE_API_VERSION, type StripeEndpoint } from './billing-stripe-client.js';
import type { MeterEventParams } from './meter-events.js';

/** Events per request on Stripe's v2 meter event stream. */
export const METER_EVENT_STREAM_BATCH = 100;

/** Sends batches on Stripe's v2 meter event stream, holding a meter event session (15-minute token). */
export interface MeterEventStreamSender {
  /** Sends up to {@link METER_EVENT_STREAM_BATCH} events; throws the SDK's error otherwise. */
  send(events: readonly MeterEventParams[]): Promise<void>;
}

/** Refresh a session this long before Stripe says it expires. */
const EARLY_MS = 30_000;

const isSessionExpired = (err: unknown) =>
  typeof err === 'object' &&
  err !== null &&
  ((err as { rawType?: string }).rawType === 'temporary_session_expired' ||
    (err as { code?: string }).code === 'billing_meter_event_session_expired');

/**
 * The v2 transport: `v2.billing.meterEventSession.create` with the secret key, then
 * `v2.billing.meterEventStream.create` with the session's token (JSON, up to 100 events). A session
 * expiring mid-way is renewed and the batch re-sent once (the events' identifiers de-duplicate it).
 */
export function createMeterEventStreamSender(
  apiKey: string,
  endpoint: StripeEndpoint,
  timeoutMs: number,
  clock: Clock,
): MeterEventStreamSender {
  assertEndpoint(endpoint);
  const config = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    appInfo: { name: '@intelgraph/finops' },
    ...(endpoint.host ? { host: endpoint.host } : {}),
    ...(endpoint.port ? { port: endpoint.port } : {}),
    ...(endpoint.protocol ? { protocol: endpoint.protocol } : {}),
  } satisfies Stripe.StripeConfig;
  const main = new Stripe(apiKey, config);
  let session: { client: Stripe; expiresAt: number } | null = null;

  const streamClient = async (): Promise<Stripe> => {
    if (session && clock.now() < session.expiresAt - EARLY_MS) return session.client;
    const s = await main.v2.billing.meterEventSession.create();
    session = { client: new Stripe(s.authentication_token, config), expiresAt: Date.parse(s.expires_at) };
    return session.client;
  };

  const post = async (events: readonly MeterEventParams[]) => {
    const client = await streamClient();
    await client.v2.billing.meterEventStream.create({
      events: events.map((e) => ({
        event_name: e.event_name,
        identifier: e.identifier,
        payload: e.payload,
        timestamp: new Date(e.timestamp * 1000).toISOString(),
      })),
    });
  };

  return {
    async send(events) {
      try {
        await post(events);
      } catch (err) {
        if (!isSessionExpired(err)) throw err;
        session = null;
        await post(events);
      }
    },
  };
}
