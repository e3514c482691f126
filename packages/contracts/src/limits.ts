/**
 * Hard limits applied to everything the contracts package reads, so hostile input cannot exhaust
 * memory or the stack. Exceeding one is an `INVALID_INPUT` with the limit in its details.
 *
 * @example
 * ```ts
 * import { CONTRACT_LIMITS } from '@intelgraph/contracts';
 * CONTRACT_LIMITS.maxPayloadBytes; // 5242880
 * ```
 */
export const CONTRACT_LIMITS = Object.freeze({
  /** Largest schema document, as UTF-8 JSON. */
  maxSchemaBytes: 1024 * 1024,
  /** Largest single payload given as text or file. */
  maxPayloadBytes: 5 * 1024 * 1024,
  /** Deepest nesting of a schema or payload. */
  maxDepth: 64,
  /** Most records in one gate batch. */
  maxBatchRecords: 100_000,
  /** Longest subject name. */
  maxSubjectLength: 200,
});
