import { IntelGraphError } from '@intelgraph/core';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTracer, inSpan } from './tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
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
