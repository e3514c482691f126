import {
  type Attributes,
  isSpanContextValid,
  type Span,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { isIntelGraphError } from './errors.js';

/**
 * The `logger` option of the host and of every package that fails in the background: a pino-compatible
 * logger (recognised by its `child` method, called as `error(fields, message)`), or a plain one called
 * as `error(message, fields)` (for example `console`). `error` and `info` fall back to `warn`.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import type { Logger } from '@intelgraph/core';
 * const logger: Logger = pino(); // or console
 * ```
 */
export type Logger =
  | {
      warn(fields: Record<string, unknown>, message?: string): void;
      error?(fields: Record<string, unknown>, message?: string): void;
      info?(fields: Record<string, unknown>, message?: string): void;
      child(bindings: Record<string, unknown>): unknown;
    }
  | {
      warn(message: string, details?: Record<string, unknown>): void;
      error?(message: string, details?: Record<string, unknown>): void;
      info?(message: string, details?: Record<string, unknown>): void;
    };

/** A level {@link logEvent} writes at. */
export type LogLevel = 'error' | 'warn' | 'info';

/**
 * A logger that drops every line: the default of every `logger` option.
 *
 * @example
 * ```ts
 * import { noopLogger, logEvent } from '@intelgraph/core';
 * logEvent(noopLogger, 'info', 'nothing is written');
 * ```
 */
export const noopLogger: Logger = Object.freeze({ warn() {}, error() {}, info() {} });

/**
 * The active span's ids as log fields (`trace_id`, `span_id`, `trace_flags`, the names
 * `@opentelemetry/instrumentation-pino` uses), or nothing outside a valid span context.
 *
 * @example
 * ```ts
 * import { traceLogFields } from '@intelgraph/core';
 * logger.info({ ...traceLogFields(), org: 'acme' }, 'run settled');
 * ```
 */
export function traceLogFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return {};
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    trace_flags: `0${ctx.traceFlags.toString(16)}`.slice(-2),
  };
}

/**
 * Writes one line at `level` with `fields` and the active span's ids. A logger that throws is
 * ignored: logging a background failure must never become a failure of its own.
 *
 * @example
 * ```ts
 * import { logEvent } from '@intelgraph/core';
 * logEvent(console, 'info', 'redis reconnected', { store: 'redis' });
 * ```
 */
export function logEvent(
  logger: Logger | undefined,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (!logger || logger === noopLogger) return;
  const line = { ...fields, ...traceLogFields() };
  try {
    const write = (logger[level] ?? logger.warn) as (a: unknown, b?: unknown) => void;
    if ('child' in logger && typeof logger.child === 'function') write.call(logger, line, message);
    else write.call(logger, message, line);
  } catch {
    // A failing logger must not turn a logged background failure into an unhandled one.
  }
}

/**
 * Logs a failure no caller awaits, at `error` unless told otherwise: its stable code (`INTERNAL`
 * for an untyped error), `err: { name, message }` and, inside a span, the trace and span ids.
 *
 * @example
 * ```ts
 * import { IntelGraphError, logFailure } from '@intelgraph/core';
 * logFailure(console, 'webhook delivery failed', new IntelGraphError('UNAVAILABLE', 'down'), { org: 'acme' });
 * ```
 */
export function logFailure(
  logger: Logger | undefined,
  message: string,
  error: unknown,
  fields: Record<string, unknown> = {},
  level: LogLevel = 'error',
): void {
  if (!logger || logger === noopLogger) return;
  logEvent(logger, level, message, {
    ...fields,
    code: isIntelGraphError(error) ? error.code : 'INTERNAL',
    err: error instanceof Error ? { name: error.name, message: error.message } : String(error),
  });
}

/**
 * The tracer of a package (`name`, e.g. `@intelgraph/finops`): from `provider` when given, else from
 * the global provider (a no-op until the application registers an OpenTelemetry SDK).
 *
 * @example
 * ```ts
 * import { packageTracer } from '@intelgraph/core';
 * const tracer = packageTracer('@intelgraph/finops');
 * ```
 */
export function packageTracer(name: string, provider?: TracerProvider): Tracer {
  return provider ? provider.getTracer(name, '0.1.0') : trace.getTracer(name, '0.1.0');
}

/**
 * Runs background work (a dispatch round, a store's connection event) in a span of its own, so the
 * lines it logs carry a trace and span id. A throw sets the span's status to the error's code and is
 * rethrown. With no SDK registered the span is the API's no-op span.
 *
 * @example
 * ```ts
 * import { inBackgroundSpan, packageTracer } from '@intelgraph/core';
 * await inBackgroundSpan(packageTracer('@intelgraph/finops'), 'intelgraph.billing.dispatch', {}, async () => round());
 * ```
 */
export function inBackgroundSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T,
): T {
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    const fail = (error: unknown) => {
      const code = isIntelGraphError(error) ? error.code : 'INTERNAL';
      span.setAttribute('intelgraph.error.code', code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      span.end();
      throw error;
    };
    let out: T;
    try {
      out = fn(span);
    } catch (error) {
      return fail(error);
    }
    if (out instanceof Promise) {
      return out.then((value) => {
        span.end();
        return value;
      }, fail) as T;
    }
    span.end();
    return out;
  });
}

/**
 * Logs a failure that happens outside any caller's work (a store connection dropping, a subscriber
 * erroring) inside a short span `name` of its own, marked failed with the error's code, so the line
 * carries a `trace_id` and `span_id` that lead to it. Nothing is started when there is no logger.
 *
 * @example
 * ```ts
 * import { packageTracer, reportBackgroundFailure } from '@intelgraph/core';
 * pool.on('error', (err) =>
 *   reportBackgroundFailure(packageTracer('@intelgraph/adapters'), 'intelgraph.store.connection_error',
 *     { 'db.system.name': 'postgresql' }, logger, 'PostgreSQL idle client failed', err),
 * );
 * ```
 */
export function reportBackgroundFailure(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  logger: Logger | undefined,
  message: string,
  error: unknown,
  fields: Record<string, unknown> = {},
  level: LogLevel = 'error',
): void {
  if (!logger || logger === noopLogger) return;
  tracer.startActiveSpan(name, { attributes }, (span) => {
    const code = isIntelGraphError(error) ? error.code : 'INTERNAL';
    if (span.isRecording()) {
      span.setAttribute('intelgraph.error.code', code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    }
    logFailure(logger, message, error, fields, level);
    span.end();
  });
}
