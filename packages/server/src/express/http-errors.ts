import { HTTP_STATUS_BY_CODE, isIntelGraphError } from '@intelgraph/core';
import type { NextFunction, Request, Response } from 'express';

interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

// body-parser and raw-body report client mistakes as http-errors with a `type`; each maps to one of our
// codes, so no client mistake is ever a 500.
const BODY_PARSER_ERRORS: Record<string, { status: number; body: ErrorBody }> = {
  'entity.too.large': {
    status: 413,
    body: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large', details: {} },
  },
  'entity.parse.failed': {
    status: 400,
    body: { code: 'INVALID_INPUT', message: 'malformed request body', details: { reason: 'malformed_body' } },
  },
  'encoding.unsupported': {
    status: 415,
    body: {
      code: 'INVALID_INPUT',
      message: 'unsupported body encoding',
      details: { reason: 'unsupported_encoding' },
    },
  },
  'charset.unsupported': {
    status: 415,
    body: {
      code: 'INVALID_INPUT',
      message: 'unsupported body charset',
      details: { reason: 'unsupported_charset' },
    },
  },
  'request.aborted': {
    status: 400,
    body: { code: 'INVALID_INPUT', message: 'request aborted', details: { reason: 'aborted' } },
  },
  'request.size.invalid': {
    status: 400,
    body: {
      code: 'INVALID_INPUT',
      message: 'request size did not match content length',
      details: { reason: 'size_mismatch' },
    },
  },
};

/** The status and JSON body the router answers for an error: ours keep their code, others are INTERNAL. */
export function httpErrorOf(err: unknown): { status: number; body: { error: ErrorBody } } {
  if (isIntelGraphError(err)) {
    const json = err.toJSON() as ErrorBody;
    const status =
      err.code === 'INVALID_INPUT' && err.details.reason === 'unsupported_media_type'
        ? 415
        : HTTP_STATUS_BY_CODE[err.code];
    return { status, body: { error: json } };
  }
  const type = (err as { type?: unknown } | null)?.type;
  const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  if (known) return { status: known.status, body: { error: known.body } };
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Any other client error raised by Express's own middleware: keep the status, never the message.
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_INPUT';
    return { status, body: { error: { code, message: 'bad request', details: {} } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error', details: {} } } };
}

/** Express error middleware answering every error as `{ error: { code, message, details } }`. */
export function errorMiddleware(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  const { status, body } = httpErrorOf(err);
  res.status(status).json(body);
}
