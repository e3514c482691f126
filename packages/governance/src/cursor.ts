// The cursor format lives in @intelgraph/core, next to the ReviewStore port, so storage adapters share it.
export type { ReviewCursor } from '@intelgraph/core';
export { decodeReviewCursor, encodeReviewCursor } from '@intelgraph/core';

/** The sort key used for tasks without a due time (after every real one). */
export const NO_DUE_KEY = 8_640_000_000_000_000;
