import type { HostCallOptions, ScopedHostApi } from '@intelgraph/capabilities';
import { isIntelGraphError, type Logger, logFailure } from '@intelgraph/core';
import type { Applier, Governance } from '@intelgraph/governance';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/**
 * The instrumentation scope name of every span the host makes.
 *
 * @example
 * ```ts
 * import { TRACER_NAME } from '@intelgraph/host';
 * spans.filter((s) => s.instrumentationScope.name === TRACER_NAME);
 * ```
 */
export const TRACER_NAME = '@intelgraph/host';
const TRACER_VERSION = '0.1.0';

/**
 * The host's tracer: from `provider` when given, else from the global provider (a no-op until the
 * application registers an OpenTelemetry SDK, so the host costs nothing when nobody traces).
 *
 * @example
 * ```ts
 * import { hostTracer } from '@intelgraph/host';
 * const tracer = hostTracer(); // global provider, resolved lazily on each span
 * ```
 */
export function hostTracer(provider?: TracerProvider): Tracer {
  return provider
    ? provider.getTracer(TRACER_NAME, TRACER_VERSION)
    : trace.getTracer(TRACER_NAME, TRACER_VERSION);
}

/** Attribute sources are functions: they are only built when the span records. */
export type LazyAttributes = () => Attributes;

/** Marks a span failed with the error's stable code (never its details, which may carry plugin data). */
export function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const code = isIntelGraphError(error) ? error.code : 'INTERNAL';
  span.setAttribute('intelgraph.error.code', code);
  if (error instanceof Error)
    span.recordException({ name: error.name, message: code, ...(isIntelGraphError(error) ? { code } : {}) });
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Marks a span failed from a result's error code (a denial that is returned, not thrown). */
export function failSpanWithCode(span: Span, code: string): void {
  if (!span.isRecording()) return;
  span.setAttribute('intelgraph.error.code', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/**
 * Runs `fn` in a child span of the active context named `name`; a throw records the error's code
 * and sets the span's status before it is rethrown.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: LazyAttributes | undefined,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind }, async (span) => {
    if (attributes && span.isRecording()) span.setAttributes(attributes());
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Wraps a scoped host API so each call is a span `intelgraph.host_call` under `parent` (the run's
 * sandbox span), with the call's scope, method, rows and outcome. The parent is explicit because a
 * process-isolated plugin's calls are answered from the worker's message events, whose async context
 * is not the run's. With a parent that does not record, the API is returned as it is.
 */
export function traceHostCalls(api: ScopedHostApi, tracer: Tracer, parent: Context): ScopedHostApi {
  if (!trace.getSpan(parent)?.isRecording()) return api;
  const call = (path: string, input: unknown, options: HostCallOptions = {}): Promise<unknown> => {
    const span = tracer.startSpan(
      'intelgraph.host_call',
      {
        // A path that names no granted method is plugin text: it is not copied to the span.
        attributes: { 'intelgraph.host_call.method': api.has(path) ? path : '(not granted)' },
      },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        return await api.call(path, input, {
          ...options,
          onCall: (record) => {
            span.setAttributes({
              'intelgraph.host_call.scope': record.scope,
              'intelgraph.host_call.rows': record.rows,
              'intelgraph.host_call.outcome': record.ok ? 'ok' : (record.error ?? 'INTERNAL'),
            });
            options.onCall?.(record);
          },
        });
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  };
  return Object.freeze({
    grantedScopes: api.grantedScopes,
    methods: api.methods,
    has: (path: string) => api.has(path),
    call,
    client(callOptions?: HostCallOptions) {
      const out: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = Object.create(null);
      for (const path of api.methods) {
        const [ns, name] = path.split('.') as [string, string];
        out[ns] ??= Object.create(null) as Record<string, (input?: unknown) => Promise<unknown>>;
        (out[ns] as Record<string, (input?: unknown) => Promise<unknown>>)[name] = (input?: unknown) =>
          call(path, input, callOptions);
      }
      return out;
    },
  }) as ScopedHostApi;
}

/** Each applier runs in a span `intelgraph.governance.apply` with the review's kind and id. */
export function traceAppliers(tracer: Tracer, appliers: Record<string, Applier>): Record<string, Applier> {
  return Object.fromEntries(
    Object.entries(appliers).map(([kind, apply]) => [
      kind,
      ((task, ...rest) =>
        inSpan(
          tracer,
          'intelgraph.governance.apply',
          () => ({
            'intelgraph.review.kind': kind,
            'intelgraph.review.id': task.id,
            'intelgraph.org': task.orgId,
          }),
          async () => apply(task, ...rest),
        )) as Applier,
    ]),
  );
}

/**
 * The string at `key` of a value of unknown shape (an actor or input a caller passed), or undefined:
 * span attributes are taken from arguments before anything has validated them.
 *
 * @example
 * ```ts
 * stringField({ orgId: 'acme' }, 'orgId'); // 'acme'
 * stringField(null, 'orgId'); // undefined
 * ```
 */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
  const field: unknown = Reflect.get(value, key);
  return typeof field === 'string' ? field : undefined;
}

/** Governance with `request`, `approve`, `deny`, `appeal` and `tick` in spans (`intelgraph.governance.*`). */
export function traceGovernance(tracer: Tracer, governance: Governance): Governance {
  const reviewKind = (input: unknown): Attributes => {
    const kind = stringField(input, 'kind');
    return kind === undefined ? {} : { 'intelgraph.review.kind': kind };
  };
  const org = (actor: unknown): Attributes => {
    const o = stringField(actor, 'orgId');
    return o === undefined ? {} : { 'intelgraph.org': o };
  };
  return {
    ...governance,
    request: (actor, input, ...rest) =>
      inSpan(
        tracer,
        'intelgraph.governance.request',
        () => ({
          ...org(actor),
          ...reviewKind(input),
        }),
        async (span) => {
          const task = await governance.request(actor, input, ...rest);
          if (span.isRecording())
            span.setAttributes({ 'intelgraph.review.id': task.id, 'intelgraph.review.state': task.state });
          return task;
        },
      ),
    approve: (actor, id, ...rest) =>
      inSpan(
        tracer,
        'intelgraph.governance.decide',
        () => ({
          ...org(actor),
          'intelgraph.review.id': String(id),
          'intelgraph.review.decision': 'approve',
        }),
        async (span) => {
          const task = await governance.approve(actor, id, ...rest);
          if (span.isRecording()) span.setAttribute('intelgraph.review.state', task.state);
          return task;
        },
      ),
    deny: (actor, id, ...rest) =>
      inSpan(
        tracer,
        'intelgraph.governance.decide',
        () => ({ ...org(actor), 'intelgraph.review.id': String(id), 'intelgraph.review.decision': 'deny' }),
        async () => governance.deny(actor, id, ...rest),
      ),
    appeal: (actor, id, ...rest) =>
      inSpan(
        tracer,
        'intelgraph.governance.appeal',
        () => ({ ...org(actor), 'intelgraph.review.id': String(id) }),
        async () => governance.appeal(actor, id, ...rest),
      ),
    // Driven by a timer, outside any request: its span gives the notifications it sends (and their
    // logged failures) a trace of their own.
    tick: (...args) =>
      inSpan(tracer, 'intelgraph.governance.tick', undefined, async () => governance.tick(...args)),
  };
}

/**
 * The host's `logger` option: core's {@link Logger}, pino-compatible (`error(fields, message)`,
 * recognised by its `child` method) or plain (`error(message, fields)`, for example `console`).
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const host = await createExtensionHost({ logger: pino() }); // background failures as JSON lines
 * ```
 */
export type HostLogger = Logger;

/**
 * Logs a background failure (one that no caller awaits) at `error` with its error code and, when a
 * span context is active, `trace_id` and `span_id`, so the line links to the trace it happened in.
 */
export function logBackgroundFailure(
  logger: HostLogger | undefined,
  message: string,
  error: unknown,
  fields: Record<string, unknown> = {},
): void {
  logFailure(logger, message, error, fields);
}
