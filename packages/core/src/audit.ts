import { z } from 'zod';
import { IntelGraphError } from './errors.js';
import { canonicalJson, type JsonValue, sha256Hex } from './json.js';

/** The `prevHash` of the first event of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Who caused an audit event (the acting user and org), or `null` for the system itself. */
export type AuditActor = { userId: string; orgId: string } | null;

/** One tamper-evident audit record. `hash` covers every other field, including `prevHash`. */
export interface AuditEvent {
  /** Position in the chain, starting at 0, without gaps. */
  seq: number;
  id: string;
  /** ISO-8601 time of the event. */
  at: string;
  /** Dotted event type, for example `plugin.run`, `grant.revoked`, `review.approved`. */
  type: string;
  actor: AuditActor;
  /** What the event is about (`plugin:sample-enricher`, `task:task_01`, …). */
  subject: string;
  /** The org whose trail this belongs to; `null` for global events. */
  orgId: string | null;
  data: JsonValue;
  prevHash: string;
  hash: string;
}

/** What a caller supplies to append an event; the chain fills in `seq`, `prevHash` and `hash`. */
export interface AuditEventInput {
  id: string;
  at: string;
  type: string;
  actor: AuditActor;
  subject: string;
  orgId: string | null;
  data: JsonValue;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const StoredEventSchema = z
  .object({
    seq: z.number().int().nonnegative(),
    id: z.string().min(1),
    at: z.string().min(1),
    type: z.string().min(1),
    actor: z.object({ userId: z.string(), orgId: z.string() }).strict().nullable(),
    subject: z.string(),
    orgId: z.string().nullable(),
    data: z.json(),
    prevHash: hex64,
    hash: hex64,
  })
  .strict();

/**
 * The hash of an event: SHA-256 over the RFC 8785 canonical JSON of every field except `hash`.
 *
 * @example
 * ```ts
 * import { hashAuditEvent } from '@intelgraph/core';
 * const h = hashAuditEvent(eventWithoutHash);
 * ```
 */
export function hashAuditEvent(event: Omit<AuditEvent, 'hash'>): string {
  const { seq, id, at, type, actor, subject, orgId, data, prevHash } = event;
  return sha256Hex(canonicalJson({ seq, id, at, type, actor, subject, orgId, data, prevHash }));
}

/**
 * Builds the next event of a chain, linking it to `previous` (or to the genesis hash).
 *
 * @example
 * ```ts
 * import { linkAuditEvent } from '@intelgraph/core';
 * const e0 = linkAuditEvent(null, { id: 'a1', at: new Date().toISOString(), type: 'plugin.installed',
 *   actor: { userId: 'alice', orgId: 'acme' }, subject: 'plugin:x', orgId: 'acme', data: {} });
 * const e1 = linkAuditEvent(e0, { ...input, id: 'a2' });
 * e1.prevHash === e0.hash; // true
 * ```
 */
export function linkAuditEvent(
  previous: Pick<AuditEvent, 'seq' | 'hash'> | null,
  input: AuditEventInput,
): AuditEvent {
  // Normalise through canonical JSON once, so what we hash is exactly what a store will read back.
  const data = JSON.parse(canonicalJson(input.data ?? null)) as JsonValue;
  const unhashed = {
    seq: previous ? previous.seq + 1 : 0,
    id: input.id,
    at: input.at,
    type: input.type,
    actor: input.actor ? { userId: input.actor.userId, orgId: input.actor.orgId } : null,
    subject: input.subject,
    orgId: input.orgId,
    data,
    prevHash: previous ? previous.hash : GENESIS_HASH,
  };
  return { ...unhashed, hash: hashAuditEvent(unhashed) };
}

/**
 * The stored form of an event: its canonical JSON. {@link verifyAuditChain} accepts this form and
 * rejects any string that is not exactly canonical, so a changed byte can never go unnoticed.
 *
 * @example
 * ```ts
 * import { serializeAuditEvent } from '@intelgraph/core';
 * const line = serializeAuditEvent(event); // append to a file, a table, a log shipper …
 * ```
 */
export function serializeAuditEvent(event: AuditEvent): string {
  return canonicalJson(event);
}

/** Why a chain failed verification. */
export type AuditBreakReason =
  | 'unparseable'
  | 'not_canonical'
  | 'malformed'
  | 'sequence_gap'
  | 'hash_mismatch'
  | 'broken_link';

/** The result of {@link verifyAuditChain}. */
export type AuditVerification =
  | { ok: true; count: number; headHash: string }
  | { ok: false; index: number; reason: AuditBreakReason; message: string };

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditChainOptions {
  /**
   * The `prevHash` the first event must link to, and the `seq` it must carry. Defaults to the genesis
   * hash and 0; pass the predecessor of a slice to verify a contiguous slice of a longer chain.
   */
  anchor?: { hash: string; seq: number } | null;
}

/**
 * Verifies a chain of events (objects or their stored strings). Returns the index of the first
 * event that is corrupt or does not link to the one before it.
 *
 * @example
 * ```ts
 * import { verifyAuditChain } from '@intelgraph/core';
 * const r = verifyAuditChain(events);
 * if (!r.ok) console.error(`audit chain breaks at ${r.index}: ${r.reason}`);
 * ```
 */
export function verifyAuditChain(
  events: Iterable<AuditEvent | string>,
  options: VerifyAuditChainOptions = {},
): AuditVerification {
  let prevHash = options.anchor ? options.anchor.hash : GENESIS_HASH;
  let expectedSeq = options.anchor ? options.anchor.seq + 1 : 0;
  let index = 0;
  for (const item of events) {
    const fail = (reason: AuditBreakReason, message: string): AuditVerification => ({
      ok: false,
      index,
      reason,
      message,
    });
    let candidate: unknown = item;
    if (typeof item === 'string') {
      try {
        candidate = JSON.parse(item);
      } catch {
        return fail('unparseable', `event ${index} is not valid JSON`);
      }
      let canonical: string;
      try {
        canonical = canonicalJson(candidate);
      } catch {
        return fail('malformed', `event ${index} cannot be canonicalized`);
      }
      if (canonical !== item) return fail('not_canonical', `event ${index} is not in canonical form`);
    }
    const parsed = StoredEventSchema.safeParse(candidate);
    if (!parsed.success)
      return fail('malformed', `event ${index} is malformed: ${parsed.error.issues[0]?.message ?? ''}`);
    const e = parsed.data as AuditEvent;
    if (e.seq !== expectedSeq)
      return fail('sequence_gap', `event ${index} has seq ${e.seq}, expected ${expectedSeq}`);
    if (hashAuditEvent(e) !== e.hash) return fail('hash_mismatch', `event ${index} does not match its hash`);
    if (e.prevHash !== prevHash)
      return fail('broken_link', `event ${index} does not link to the event before it`);
    prevHash = e.hash;
    expectedSeq += 1;
    index += 1;
  }
  return { ok: true, count: index, headHash: prevHash };
}

/**
 * Throws `CONFLICT` when a chain does not verify; a convenience for stores and startup checks.
 *
 * @example
 * ```ts
 * import { assertAuditChain } from '@intelgraph/core';
 * assertAuditChain(await log.list({ limit: 10_000 }));
 * ```
 */
export function assertAuditChain(
  events: Iterable<AuditEvent | string>,
  options?: VerifyAuditChainOptions,
): void {
  const r = verifyAuditChain(events, options);
  if (!r.ok)
    throw new IntelGraphError('CONFLICT', `audit chain broken at index ${r.index}: ${r.message}`, {
      details: r,
    });
}
