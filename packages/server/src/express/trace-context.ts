import { context, propagation, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';

/**
 * Express middleware: the rest of the request runs in the trace context its headers carry
 * (`traceparent`/`tracestate` with the W3C propagator the application registered), so the host's spans
 * join the caller's trace. When a span is already active (the application's HTTP instrumentation made
 * one for this request), that span stays the parent. Without a registered propagator it changes
 * nothing.
 */
export function traceContextMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const active = context.active();
  if (trace.getSpan(active)) {
    next();
    return;
  }
  context.with(propagation.extract(active, req.headers), next);
}
