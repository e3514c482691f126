/**
 * Every failure that crosses a public boundary is an {@link IntelGraphError} whose `code` is one of
 * these stable strings. Tests, HTTP and GraphQL layers switch on the code, never on the message.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'CAPABILITY_DENIED',
  'BUDGET_EXCEEDED',
  'PLUGIN_ERROR',
  'CONTRACT_VIOLATION',
  'SCHEMA_INCOMPATIBLE',
  'SIGNATURE_INVALID',
  'QUOTA_EXCEEDED',
  'KILL_SWITCH',
  'APPROVAL_REQUIRED',
  'INVALID_TRANSITION',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'UNAVAILABLE',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
] as const;

/** The union of stable error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * HTTP status for each code, used by the Express and GraphQL adapters (tRPC-style mapping).
 *
 * @example
 * ```ts
 * import { HTTP_STATUS_BY_CODE } from '@intelgraph/core';
 * HTTP_STATUS_BY_CODE.QUOTA_EXCEEDED; // 429
 * ```
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CAPABILITY_DENIED: 403,
  BUDGET_EXCEEDED: 422,
  PLUGIN_ERROR: 422,
  CONTRACT_VIOLATION: 422,
  SCHEMA_INCOMPATIBLE: 409,
  SIGNATURE_INVALID: 400,
  QUOTA_EXCEEDED: 429,
  KILL_SWITCH: 503,
  APPROVAL_REQUIRED: 202,
  INVALID_TRANSITION: 409,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
});

/** Options accepted by the {@link IntelGraphError} constructor. */
export interface IntelGraphErrorOptions {
  /** Structured, JSON-safe facts about the failure (limits, observed values, issue lists). */
  details?: Record<string, unknown>;
  /** The underlying error, kept for logs; never sent to clients by the adapters. */
  cause?: unknown;
}

/**
 * The one error class of the framework.
 *
 * @example
 * ```ts
 * import { IntelGraphError } from '@intelgraph/core';
 * throw new IntelGraphError('BUDGET_EXCEEDED', 'wall time budget of 800 ms exceeded', {
 *   details: { resource: 'wall', limit: 800, observed: 801 },
 * });
 * ```
 */
export class IntelGraphError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** Structured details; always an object, possibly empty. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: IntelGraphErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IntelGraphError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The HTTP status the adapters answer with for this error. */
  get httpStatus(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  /**
   * A JSON-safe view (no stack, no cause) suitable for API responses and audit records.
   *
   * @example
   * ```ts
   * new IntelGraphError('NOT_FOUND', 'no plugin x').toJSON();
   * // { code: 'NOT_FOUND', message: 'no plugin x', details: {} }
   * ```
   */
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Type guard that works across package copies (checks the shape, not only `instanceof`).
 *
 * @example
 * ```ts
 * import { isIntelGraphError } from '@intelgraph/core';
 * try { run(); } catch (e) { if (isIntelGraphError(e, 'QUOTA_EXCEEDED')) retryLater(); }
 * ```
 */
export function isIntelGraphError(value: unknown, code?: ErrorCode): value is IntelGraphError {
  if (value instanceof IntelGraphError) return code === undefined || value.code === code;
  if (typeof value !== 'object' || value === null || !('code' in value) || !('name' in value)) return false;
  const c = value.code;
  const ok = value.name === 'IntelGraphError' && typeof c === 'string' && KNOWN_CODES.has(c);
  return ok && (code === undefined || c === code);
}

/**
 * Wraps anything thrown into an {@link IntelGraphError}, keeping typed errors as they are.
 *
 * @example
 * ```ts
 * import { toIntelGraphError } from '@intelgraph/core';
 * const err = toIntelGraphError(new Error('boom')); // code INTERNAL, cause kept
 * ```
 */
export function toIntelGraphError(value: unknown, fallback: ErrorCode = 'INTERNAL'): IntelGraphError {
  if (isIntelGraphError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new IntelGraphError(fallback, message, { cause: value });
}
