import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntelGraphError } from './errors.js';
import { inBackgroundSpan, logEvent, logFailure, noopLogger, packageTracer } from './logger.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe('logFailure', () => {
  it('calls a pino-compatible logger as error(fields, message), with trace_id and span_id', async () => {
    const lines: unknown[][] = [];
    const pinoLike = {
      warn: () => {},
      error: (...a: unknown[]) => lines.push(a),
      child: () => pinoLike,
    };
    const ids = await inBackgroundSpan(
      packageTracer('test', provider),
      'test.background',
      {},
      async (span) => {
        logFailure(pinoLike, 'delivery failed', new IntelGraphError('UNAVAILABLE', 'down'), { org: 'acme' });
        return span.spanContext();
      },
    );
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines).toEqual([
      [
        {
          org: 'acme',
          code: 'UNAVAILABLE',
          err: { name: 'IntelGraphError', message: 'down' },
          trace_id: ids.traceId,
          span_id: ids.spanId,
          trace_flags: '01',
        },
        'delivery failed',
      ],
    ]);
  });

  it('calls a plain logger as error(message, fields), without ids outside a span', () => {
    const lines: unknown[][] = [];
    logFailure(
      { warn: () => {}, error: (...a: unknown[]) => lines.push(a) },
      'delivery failed',
      new Error('boom'),
    );
    expect(lines).toEqual([
      ['delivery failed', { code: 'INTERNAL', err: { name: 'Error', message: 'boom' } }],
    ]);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('falls back to warn for a logger without the level, and never throws when the logger does', () => {
    const lines: unknown[][] = [];
    logEvent({ warn: (...a: unknown[]) => lines.push(a) }, 'info', 'reconnected', { store: 'redis' });
    expect(lines).toEqual([['reconnected', { store: 'redis' }]]);
    const throwing = {
      warn: () => {
        throw new Error('logger down');
      },
    };
    expect(() => logFailure(throwing, 'x', new Error('y'))).not.toThrow();
    expect(() => logFailure(noopLogger, 'x', new Error('y'))).not.toThrow();
  });
});

describe('inBackgroundSpan', () => {
  it('ends the span with the error code of a rejection and rethrows it', async () => {
    exporter.reset();
    await expect(
      inBackgroundSpan(
        packageTracer('test', provider),
        'test.fails',
        { 'intelgraph.org': 'acme' },
        async () => {
          throw new IntelGraphError('UNAVAILABLE', 'down');
        },
      ),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('test.fails');
    expect(span?.attributes).toEqual({ 'intelgraph.org': 'acme', 'intelgraph.error.code': 'UNAVAILABLE' });
    expect(span?.status).toMatchObject({ code: 2, message: 'UNAVAILABLE' });
  });

  it('returns a synchronous value and ends the span', () => {
    exporter.reset();
    expect(inBackgroundSpan(packageTracer('test', provider), 'test.sync', {}, () => 42)).toBe(42);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['test.sync']);
  });
});
