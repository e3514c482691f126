import { IntelGraphError } from '@intelgraph/core';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTracer, inSpan, logBackgroundFailure, traceFields } from './tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe('logBackgroundFailure', () => {
  it('calls a pino-compatible logger as warn(fields, message), with the trace and span ids', async () => {
    const lines: unknown[][] = [];
    const pinoLike = { warn: (...a: unknown[]) => lines.push(a), child: () => pinoLike };
    const tracer = hostTracer(provider);
    let ids: { traceId?: string; spanId?: string } = {};
    await inSpan(tracer, 'test.background', undefined, async () => {
      ids = traceFields();
      logBackgroundFailure(pinoLike, 'delivery failed', new IntelGraphError('UNAVAILABLE', 'down'), {
        org: 'acme',
      });
    });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines).toEqual([
      [
        {
          org: 'acme',
          code: 'UNAVAILABLE',
          err: { name: 'IntelGraphError', message: 'down' },
          traceId: ids.traceId,
          spanId: ids.spanId,
        },
        'delivery failed',
      ],
    ]);
  });

  it('calls a plain logger as warn(message, fields), without ids outside a span', () => {
    const lines: unknown[][] = [];
    logBackgroundFailure({ warn: (...a: unknown[]) => lines.push(a) }, 'delivery failed', new Error('boom'));
    expect(lines).toEqual([
      ['delivery failed', { code: 'INTERNAL', err: { name: 'Error', message: 'boom' } }],
    ]);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('never throws when the logger does', () => {
    expect(() =>
      logBackgroundFailure(
        {
          warn: () => {
            throw new Error('logger down');
          },
        },
        'x',
        new Error('y'),
      ),
    ).not.toThrow();
  });
});

describe('inSpan', () => {
  it('records the error code and status of a throw and rethrows it', async () => {
    exporter.reset();
    await expect(
      inSpan(hostTracer(provider), 'test.fails', undefined, async () => {
        throw new IntelGraphError('QUOTA_EXCEEDED', 'over');
      }),
    ).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes['intelgraph.error.code']).toBe('QUOTA_EXCEEDED');
    expect(span?.status).toMatchObject({ code: 2, message: 'QUOTA_EXCEEDED' });
  });

  it('builds no attributes when nothing records (no SDK registered)', async () => {
    let built = 0;
    const r = await inSpan(
      hostTracer(),
      'test.noop',
      () => {
        built += 1;
        return {};
      },
      async (span) => span.isRecording(),
    );
    expect(r).toBe(false);
    expect(built).toBe(0);
  });
});
