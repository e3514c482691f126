import { type EvidenceRef, IntelGraphError, sha256Hex } from '@intelgraph/core';
import { z } from 'zod';

/** An attachment as a caller supplies it. Text content is UTF-8 unless `encoding` says base64. */
export interface EvidenceInput {
  name: string;
  mediaType: string;
  content: string | Uint8Array;
  encoding?: 'utf8' | 'base64';
}

/**
 * Zod schema of an {@link EvidenceInput} (the size limit is checked separately, on the decoded bytes).
 *
 * @example
 * ```ts
 * import { EvidenceInputSchema } from '@intelgraph/governance';
 * EvidenceInputSchema.parse({ name: 'ticket.txt', mediaType: 'text/plain', content: 'INC-42' });
 * ```
 */
export const EvidenceInputSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^/\\\0]+$/u, 'a file name without path separators'),
    mediaType: z
      .string()
      .max(127)
      .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/iu, 'a media type such as text/plain'),
    content: z.union([z.string(), z.instanceof(Uint8Array)]),
    encoding: z.enum(['utf8', 'base64']).optional(),
  })
  .strict();

/** At most this many attachments per request or decision. */
export const MAX_EVIDENCE_ITEMS = 20;

/**
 * Default size limit of one attachment: 5 MiB (override with `createGovernance({ evidenceMaxBytes })`).
 *
 * @example
 * ```ts
 * import { DEFAULT_EVIDENCE_MAX_BYTES } from '@intelgraph/governance';
 * DEFAULT_EVIDENCE_MAX_BYTES; // 5242880
 * ```
 */
export const DEFAULT_EVIDENCE_MAX_BYTES = 5 * 1024 * 1024;

/** A decoded attachment with its content address. */
export interface PreparedEvidence {
  ref: EvidenceRef;
  bytes: Uint8Array;
}

/**
 * Decodes attachments, enforces the size limit (`PAYLOAD_TOO_LARGE`) and computes their SHA-256.
 *
 * @example
 * ```ts
 * import { prepareEvidence } from '@intelgraph/governance';
 * const [e] = prepareEvidence([{ name: 'ticket.txt', mediaType: 'text/plain', content: 'JIRA-1' }]);
 * e.ref.sha256; // hex SHA-256 of the bytes
 * ```
 */
export function prepareEvidence(
  inputs: readonly EvidenceInput[],
  maxBytes = DEFAULT_EVIDENCE_MAX_BYTES,
): PreparedEvidence[] {
  return inputs.map((input, index) => {
    // Reject oversized text before decoding it, so a huge string costs nothing more than its length.
    if (typeof input.content === 'string' && input.content.length > maxBytes * 2)
      throw tooLarge(index, input.content.length, maxBytes);
    const bytes =
      typeof input.content === 'string'
        ? new Uint8Array(Buffer.from(input.content, input.encoding === 'base64' ? 'base64' : 'utf8'))
        : input.content;
    if (bytes.byteLength > maxBytes) throw tooLarge(index, bytes.byteLength, maxBytes);
    return {
      ref: {
        sha256: sha256Hex(bytes),
        name: input.name,
        mediaType: input.mediaType.toLowerCase(),
        size: bytes.byteLength,
      },
      bytes,
    };
  });
}

function tooLarge(index: number, observed: number, limit: number): IntelGraphError {
  return new IntelGraphError('PAYLOAD_TOO_LARGE', `evidence ${index} exceeds ${limit} bytes`, {
    details: { path: ['evidence', index, 'content'], limit, observed },
  });
}
