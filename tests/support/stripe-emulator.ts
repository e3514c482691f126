// A local emulator of Stripe's `POST /v1/billing/meter_events` (API version 2026-07-29.dahlia), on
// 127.0.0.1, for the billing delivery tests. It implements the documented v1 behaviour of this one
// endpoint, against a fake clock:
// - secret-key auth (Bearer or Basic): unknown key 401, key without permission 403;
// - form-encoded bodies only (`application/x-www-form-urlencoded`, `payload[...]` keys); JSON is a 400;
// - idempotency keys: the status and body of a request that started executing (200s, 400s from the
//   endpoint and 500s alike) are saved and replayed for 24 hours (`Idempotent-Replayed: true`); the
//   same key with other parameters is a 400 `idempotency_error`; validation failures and 429s are not
//   saved (they never started executing);
// - identifier uniqueness for a rolling 24 hours (Stripe: "at least"): a repeat is a 400 naming the
//   identifier (code `duplicate_meter_event` when `duplicateCode` is set, message only otherwise);
// - the timestamp window: the past 35 days, up to 5 minutes ahead;
// - scriptable faults: 5xx (before or after the event is recorded), dropped connections and hung
//   requests (before or after), 429 with `Retry-After` and `Stripe-Should-Retry`, any other 4xx.
// It also serves the v2 meter event stream the same way: `POST /v2/billing/meter_event_session` (secret
// key; a token valid 15 minutes) and `POST /v2/billing/meter_event_stream` (the token; JSON, up to 100
// events; an expired token is a 401 `temporary_session_expired`). Stream events are validated and
// de-duplicated "asynchronously": invalid ones and duplicates are listed in `asyncErrors`, never answered.
// `billedCount(identifier)` is the number of times the event was recorded: the tests' ground truth.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const EMULATOR_KEY = 'sk_test_emulator_0001';
const DAY_MS = 86_400_000;

/** One scripted answer, used by the next request it applies to. */
export type StripeFault =
  /** A 5xx. `afterBilling`: the event is recorded first (it ran, then failed). Saved under the key. */
  | { kind: 'server_error'; status?: 500 | 502 | 503; afterBilling?: boolean; shouldRetry?: boolean }
  /** The connection is destroyed with no answer; `afterBilling`: after the request was fully processed. */
  | { kind: 'drop'; afterBilling?: boolean }
  /** No answer at all (the client times out); `afterBilling`: after the request was fully processed. */
  | { kind: 'hang'; afterBilling?: boolean }
  /** A 429 (never saved under the key). */
  | { kind: 'rate_limit'; retryAfter?: string; shouldRetry?: boolean }
  /** Another 4xx from the endpoint's validation (never saved under the key). */
  | { kind: 'reject'; status?: number; code?: string; message: string; param?: string };

export interface StripeEmulatorOptions {
  /** The fake clock, epoch ms. */
  now: () => number;
  /** Keys that authenticate (default `[EMULATOR_KEY]`). */
  apiKeys?: readonly string[];
  /** Keys that authenticate but lack permission for meter events (403). */
  forbiddenKeys?: readonly string[];
  /** The meter's payload keys (default `stripe_customer_id`, `value`). */
  customerPayloadKey?: string;
  valuePayloadKey?: string;
  /** Error code on a duplicate identifier; `undefined` (default) sends the message only. */
  duplicateCode?: string;
  /** How long an idempotency key's result is replayed (default 24 h). */
  idempotencyTtlMs?: number;
  /** How long an identifier is unique (default 24 h). */
  identifierTtlMs?: number;
  /** Port to listen on (default: any free port, kept across stop/start). */
  port?: number;
}

export interface EmulatedRequest {
  at: number;
  idempotencyKey: string | null;
  identifier: string | null;
  apiVersion: string | null;
  contentType: string | null;
  /** HTTP status answered, or what happened instead. */
  status: number | 'dropped' | 'hung';
  /** The path (`/v1/billing/meter_events`, `/v2/billing/meter_event_session`, `/v2/billing/meter_event_stream`). */
  path: string;
  /** Events in a v2 stream request. */
  events: number;
  replayed: boolean;
}

export interface StripeEmulator {
  readonly endpoint: { host: string; port: number; protocol: 'http' };
  readonly url: string;
  readonly requests: EmulatedRequest[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Queues faults for the next requests (of one identifier only, when given), in order. */
  script(faults: readonly StripeFault[], filter?: { identifier?: string }): void;
  /** How many times Stripe recorded (billed) this identifier. */
  billedCount(identifier: string): number;
  /** Every billed identifier with its count. */
  billed(): Map<string, number>;
  /** Stream events refused after the answer (invalid, or a duplicate identifier), as Stripe reports them later. */
  readonly asyncErrors: { identifier: string; code: string }[];
  setApiKeys(keys: readonly string[]): void;
}

interface Saved {
  fingerprint: string;
  status: number;
  body: string;
  headers: Record<string, string>;
  savedAt: number;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Save under the idempotency key (the endpoint started executing). */
  save: boolean;
  replayed?: boolean;
}

const err = (status: number, error: Record<string, unknown>, save = false): Answer => ({
  status,
  body: { error },
  save,
});

const mask = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

export function createStripeEmulator(options: StripeEmulatorOptions): StripeEmulator {
  const customerKey = options.customerPayloadKey ?? 'stripe_customer_id';
  const valueKey = options.valuePayloadKey ?? 'value';
  const idemTtl = options.idempotencyTtlMs ?? DAY_MS;
  const identTtl = options.identifierTtlMs ?? DAY_MS;
  let apiKeys = new Set(options.apiKeys ?? [EMULATOR_KEY]);
  const forbidden = new Set(options.forbiddenKeys ?? []);
  const saved = new Map<string, Saved>();
  const lastAccepted = new Map<string, number>();
  const billed = new Map<string, number>();
  const globalFaults: StripeFault[] = [];
  const faultsById = new Map<string, StripeFault[]>();
  const requests: EmulatedRequest[] = [];
  const asyncErrors: { identifier: string; code: string }[] = [];
  const sessions = new Map<string, number>();
  let server: Server | null = null;
  let port = options.port ?? 0;

  const keyOf = (req: IncomingMessage): string | null => {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return auth.slice(7).trim();
    if (auth.startsWith('Basic '))
      return Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0] ?? null;
    return null;
  };

  const nextFault = (identifier: string | null): StripeFault | undefined => {
    const own = identifier ? faultsById.get(identifier) : undefined;
    if (own && own.length > 0) return own.shift();
    return globalFaults.shift();
  };

  const record = (identifier: string, payload: Record<string, string>, params: URLSearchParams): Answer => {
    const now = options.now();
    const seen = lastAccepted.get(identifier);
    if (seen !== undefined && now - seen < identTtl) {
      return err(
        400,
        {
          type: 'invalid_request_error',
          message: `An event already exists with identifier ${identifier}.`,
          ...(options.duplicateCode ? { code: options.duplicateCode } : {}),
        },
        true,
      );
    }
    lastAccepted.set(identifier, now);
    billed.set(identifier, (billed.get(identifier) ?? 0) + 1);
    return {
      status: 200,
      save: true,
      body: {
        object: 'billing.meter_event',
        created: Math.floor(now / 1000),
        event_name: params.get('event_name'),
        identifier,
        livemode: false,
        payload,
        timestamp: Number(params.get('timestamp') ?? Math.floor(now / 1000)),
      },
    };
  };

  /** The endpoint proper, after auth and content type; `fault` may be a server error. */
  const execute = (params: URLSearchParams, fault: StripeFault | undefined): Answer => {
    const now = options.now();
    const eventName = params.get('event_name');
    if (!eventName || eventName.length > 100) {
      return err(400, {
        type: 'invalid_request_error',
        code: eventName ? 'parameter_invalid_string' : 'parameter_missing',
        param: 'event_name',
        message: eventName
          ? 'event_name must be at most 100 characters.'
          : 'Missing required param: event_name.',
      });
    }
    const payload: Record<string, string> = {};
    for (const [k, v] of params) {
      const m = /^payload\[([^\]]+)\]$/.exec(k);
      if (m) payload[m[1]!] = v;
    }
    if (!payload[customerKey]) {
      return err(400, {
        type: 'invalid_request_error',
        code: 'parameter_missing',
        param: `payload[${customerKey}]`,
        message: `Missing required param: payload[${customerKey}].`,
      });
    }
    if (!/^-?[0-9]+$/.test(payload[valueKey] ?? '')) {
      return err(400, {
        type: 'invalid_request_error',
        code: 'parameter_invalid_integer',
        param: `payload[${valueKey}]`,
        message: `payload[${valueKey}] must be a whole number.`,
      });
    }
    const identifier = params.get('identifier') ?? `emu_${requests.length}`;
    if (identifier.length > 100) {
      return err(400, {
        type: 'invalid_request_error',
        code: 'parameter_invalid_string',
        param: 'identifier',
        message: 'identifier must be at most 100 characters.',
      });
    }
    const ts = params.get('timestamp');
    if (ts !== null) {
      const t = Number(ts);
      const nowS = Math.floor(now / 1000);
      if (!Number.isInteger(t) || t < nowS - 35 * 86_400 || t > nowS + 300) {
        return err(400, {
          type: 'invalid_request_error',
          code: 'parameter_invalid_integer',
          param: 'timestamp',
          message:
            'Timestamp must be within the past 35 calendar days and no more than 5 minutes in the future.',
        });
      }
    }
    if (fault?.kind === 'reject') {
      return err(fault.status ?? 400, {
        type: 'invalid_request_error',
        message: fault.message,
        ...(fault.code ? { code: fault.code } : {}),
        ...(fault.param ? { param: fault.param } : {}),
      });
    }
    if (fault?.kind === 'server_error') {
      if (fault.afterBilling) record(identifier, payload, params);
      return {
        status: fault.status ?? 500,
        save: true,
        headers: { 'stripe-should-retry': String(fault.shouldRetry ?? false) },
        body: {
          error: { type: 'api_error', message: 'An unknown error occurred while processing your request.' },
        },
      };
    }
    return record(identifier, payload, params);
  };

  /** The v2 stream: token auth, JSON, up to 100 events, validated and de-duplicated after answering. */
  const stream = (req: IncomingMessage, raw: string, log: EmulatedRequest, send: (a: Answer) => void) => {
    const now = options.now();
    const token = keyOf(req);
    const expires = token ? sessions.get(token) : undefined;
    if (expires === undefined) {
      send(err(401, { type: 'invalid_request_error', message: 'Invalid authentication token.' }));
      return;
    }
    if (now >= expires) {
      send(
        err(401, {
          type: 'temporary_session_expired',
          code: 'billing_meter_event_session_expired',
          message: 'The meter event session has expired; create a new one.',
        }),
      );
      return;
    }
    const fault = nextFault(null);
    if (fault?.kind === 'drop' && !fault.afterBilling) {
      log.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang' && !fault.afterBilling) {
      log.status = 'hung';
      return;
    }
    if (fault?.kind === 'rate_limit') {
      send({
        ...err(429, { type: 'rate_limit', message: 'Too many requests.' }),
        headers: {
          ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          ...(fault.shouldRetry !== undefined ? { 'stripe-should-retry': String(fault.shouldRetry) } : {}),
        },
      });
      return;
    }
    let events: {
      event_name?: string;
      identifier?: string;
      payload?: Record<string, string>;
      timestamp?: string;
    }[];
    try {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new Error('not JSON');
      events = (JSON.parse(raw) as { events: typeof events }).events;
      if (!Array.isArray(events) || events.length === 0 || events.length > 100) throw new Error('events');
    } catch {
      send(
        err(400, {
          type: 'invalid_request_error',
          code: 'invalid_fields',
          message: 'events: 1 to 100 events.',
        }),
      );
      return;
    }
    log.events = events.length;
    const process = () => {
      for (const e of events) {
        const id = e.identifier ?? `emu_${requests.length}`;
        const ts = e.timestamp ? Date.parse(e.timestamp) : now;
        const valid =
          typeof e.event_name === 'string' &&
          e.event_name.length <= 100 &&
          id.length <= 100 &&
          !!e.payload?.[customerKey] &&
          /^-?[0-9]+$/.test(e.payload?.[valueKey] ?? '') &&
          Number.isFinite(ts) &&
          ts >= now - 35 * DAY_MS &&
          ts <= now + 300_000;
        if (!valid) {
          asyncErrors.push({ identifier: id, code: 'invalid_event' });
          continue;
        }
        const seen = lastAccepted.get(id);
        if (seen !== undefined && now - seen < identTtl) {
          asyncErrors.push({ identifier: id, code: 'duplicate_meter_event' });
          continue;
        }
        lastAccepted.set(id, now);
        billed.set(id, (billed.get(id) ?? 0) + 1);
      }
    };
    if (fault?.kind === 'server_error') {
      if (fault.afterBilling) process();
      send(err(fault.status ?? 500, { type: 'api_error', message: 'An unknown error occurred.' }));
      return;
    }
    process();
    if (fault?.kind === 'drop') {
      log.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      log.status = 'hung';
      return;
    }
    send({ status: 200, save: false, body: {} });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const now = options.now();
    const contentType = req.headers['content-type'] ?? null;
    const isForm = (contentType ?? '').startsWith('application/x-www-form-urlencoded');
    const params = new URLSearchParams(isForm ? raw : '');
    const idemKey = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const log: EmulatedRequest = {
      at: now,
      idempotencyKey: idemKey,
      identifier: params.get('identifier'),
      apiVersion: (req.headers['stripe-version'] as string | undefined) ?? null,
      contentType,
      status: 0,
      replayed: false,
      path: req.url ?? '',
      events: 0,
    };
    requests.push(log);
    const send = (a: Answer) => {
      log.status = a.status;
      log.replayed = a.replayed ?? false;
      res.writeHead(a.status, {
        'content-type': 'application/json',
        'request-id': `req_emu_${requests.length}`,
        ...(idemKey ? { 'idempotency-key': idemKey } : {}),
        ...(a.replayed ? { 'idempotent-replayed': 'true' } : {}),
        ...a.headers,
      });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    };

    if (req.method === 'POST' && req.url === '/v2/billing/meter_event_stream') {
      stream(req, raw, log, send);
      return;
    }
    if (req.method === 'POST' && req.url === '/v2/billing/meter_event_session') {
      const k = keyOf(req);
      if (!k || !apiKeys.has(k)) {
        send(
          err(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${mask(k ?? '')}` }),
        );
        return;
      }
      const token = `mes_tok_emu_${requests.length}`;
      sessions.set(token, now + 15 * 60_000);
      send({
        status: 200,
        save: false,
        body: {
          object: 'v2.billing.meter_event_session',
          id: `mes_emu_${requests.length}`,
          authentication_token: token,
          created: new Date(now).toISOString(),
          expires_at: new Date(now + 15 * 60_000).toISOString(),
          livemode: false,
        },
      });
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/billing/meter_events') {
      send(
        err(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${req.method}: ${req.url}).`,
        }),
      );
      return;
    }
    const key = keyOf(req);
    if (!key) {
      send(err(401, { type: 'invalid_request_error', message: 'You did not provide an API key.' }));
      return;
    }
    if (!apiKeys.has(key) && !forbidden.has(key)) {
      send(err(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${mask(key)}` }));
      return;
    }
    if (forbidden.has(key)) {
      send(
        err(403, {
          type: 'invalid_request_error',
          message: `The provided key '${mask(key)}' does not have the required permissions for this endpoint.`,
        }),
      );
      return;
    }
    const fault = nextFault(log.identifier);
    if (fault?.kind === 'drop' && !fault.afterBilling) {
      log.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang' && !fault.afterBilling) {
      log.status = 'hung';
      return;
    }
    if (fault?.kind === 'rate_limit') {
      send({
        ...err(429, {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message:
            'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        }),
        headers: {
          ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          ...(fault.shouldRetry !== undefined ? { 'stripe-should-retry': String(fault.shouldRetry) } : {}),
        },
      });
      return;
    }
    if (!isForm) {
      send(
        err(400, {
          type: 'invalid_request_error',
          message:
            'Invalid request (check that your POST content type is application/x-www-form-urlencoded). If you have any questions, we can help at https://support.stripe.com/.',
        }),
      );
      return;
    }

    let answer: Answer;
    const fingerprint = [...params]
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&');
    const prior = idemKey ? saved.get(idemKey) : undefined;
    if (prior && now - prior.savedAt < idemTtl) {
      answer =
        prior.fingerprint === fingerprint
          ? { status: prior.status, body: prior.body, headers: prior.headers, save: false, replayed: true }
          : err(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
            });
    } else {
      answer = execute(params, fault);
      if (answer.save && idemKey) {
        saved.set(idemKey, {
          fingerprint,
          status: answer.status,
          body: JSON.stringify(answer.body),
          headers: answer.headers ?? {},
          savedAt: now,
        });
      }
    }
    if (fault?.kind === 'drop') {
      log.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') {
      log.status = 'hung';
      return;
    }
    send(answer);
  };

  return {
    get endpoint() {
      return { host: '127.0.0.1', port, protocol: 'http' as const };
    },
    get url() {
      return `http://127.0.0.1:${port}/v1/billing/meter_events`;
    },
    requests,
    async start() {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
      });
      s.listen(port, '127.0.0.1');
      await once(s, 'listening');
      port = (s.address() as AddressInfo).port;
      server = s;
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    script(faults, filter = {}) {
      if (filter.identifier) {
        const q = faultsById.get(filter.identifier) ?? [];
        q.push(...faults);
        faultsById.set(filter.identifier, q);
      } else globalFaults.push(...faults);
    },
    billedCount: (identifier) => billed.get(identifier) ?? 0,
    billed: () => new Map(billed),
    asyncErrors,
    setApiKeys(keys) {
      apiKeys = new Set(keys);
    },
  };
}
