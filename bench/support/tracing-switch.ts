// Tracing on and off in one server process, so bench/load can run the same step with no OpenTelemetry
// SDK and with one registered, in the same run. The host is given a provider whose tracer
// asks, on every span, for the tracer of the moment:
//  - off: the global API's tracer, exactly what a host given no provider uses (a no-op until an SDK is
//    registered; none is), with no context manager and no propagator;
//  - on: a BasicTracerProvider sampling every span into a BatchSpanProcessor whose exporter drops them
//    (the cost of the spans, not of a network exporter), the async-hooks context manager and the W3C
//    propagator, as an application registering the Node SDK would have.
// The API's global tracer cannot be switched back once it has found an SDK, hence the indirection.
import { context, propagation, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** A provider for the host plus the switch. */
export interface TracingSwitch {
  provider: TracerProvider;
  /** Registers (true) or removes (false) the SDK, the context manager and the propagator. */
  set(on: boolean): Promise<void>;
  /** Spans the dropping exporter has received so far. */
  spansExported(): number;
}

/** A {@link TracingSwitch}, off. */
export function tracingSwitch(): TracingSwitch {
  let sdk: BasicTracerProvider | null = null;
  let exported = 0;
  const dropping: SpanExporter = {
    export(spans, done) {
      exported += spans.length;
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
  const tracers = new Map<string, Tracer>();
  const current = (name: string, version?: string): Tracer =>
    sdk ? sdk.getTracer(name, version) : trace.getTracer(name, version);
  const provider: TracerProvider = {
    getTracer(name, version) {
      const key = `${name}@${version ?? ''}`;
      let t = tracers.get(key);
      if (!t) {
        t = {
          startSpan: (...args: Parameters<Tracer['startSpan']>) => current(name, version).startSpan(...args),
          startActiveSpan: ((...args: unknown[]) =>
            (current(name, version).startActiveSpan as (...a: unknown[]) => unknown)(
              ...args,
            )) as Tracer['startActiveSpan'],
        };
        tracers.set(key, t);
      }
      return t;
    },
  };
  return {
    provider,
    spansExported: () => exported,
    async set(on) {
      if (on && !sdk) {
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        propagation.setGlobalPropagator(new W3CTraceContextPropagator());
        sdk = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });
      } else if (!on && sdk) {
        const was = sdk;
        sdk = null;
        await was.forceFlush();
        await was.shutdown();
        context.disable();
        propagation.disable();
      }
    },
  };
}
