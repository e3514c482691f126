// The cursor format lives in @intelgraph/core, next to the ReviewStore port, so storage adapters share it.
export type { ReviewCursor } from '@intelgraph/core';
export { decodeReviewCursor, encodeReviewCursor, REVIEW_NO_DUE_KEY as NO_DUE_KEY } from '@intelgraph/core';
