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
  /**
   * Most steps one JSON Schema compatibility comparison may take (a node compared, flattened or walked).
   * Not an error when exceeded: the comparison answers "breaking both ways" with the reason, so a schema
   * whose combinators or `$ref`s multiply the cases costs bounded time and is never called compatible.
   */
  maxCompareSteps: 200_000,
  /**
   * Most subschemas a JSON Schema's validator may evaluate for one payload, each `$ref` counted at every
   * use (recursion once). A schema whose definitions fan out beyond it is refused with `INVALID_INPUT`
   * when compiled, so a few hundred bytes cannot make every validation cost exponential time.
   */
  maxExpandedSchemaNodes: 250_000,
  /**
   * Most `enum` values one JSON Schema may list, all its enums together. ajv checks the schema against
   * its meta-schema with a pairwise comparison of enum values (quadratic: 40 000 values take about two
   * seconds), so more is refused with `INVALID_INPUT` before ajv sees it.
   */
  maxEnumValues: 20_000,
  /**
   * Most weight of a JSON Schema's `dependentRequired` (and draft-07 array `dependencies`) lists: the
   * squares of their lengths added up. ajv writes each missing-name error with the whole list, so its
   * generated code grows with the square (500 names made 3 MB of code, 8 000 exhausted the heap and
   * aborted the process). One list may name 316 properties; more is refused with `INVALID_INPUT`.
   */
  maxDependentRequiredSquares: 100_000,
  /**
   * Most `patternProperties` entries in one JSON Schema, all together. ajv's compile time grows with
   * their square (1 000 took 1.3 s, 5 000 took 17 s); more is refused with `INVALID_INPUT`.
   */
  maxPatternProperties: 256,
});
