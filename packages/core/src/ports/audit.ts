import type { AuditEvent, AuditEventInput } from '../audit.js';

/** Filters for reading the audit log; results are always in chain order (ascending `seq`). */
export interface AuditQuery {
  /** Only events with `seq` greater than this (cursor). */
  afterSeq?: number;
  /** At most this many events (stores cap it; default 1000). */
  limit?: number;
  subject?: string;
  orgId?: string;
  type?: string;
}

/**
 * Port: durable, append-only storage of the hash-chained audit log. `append` must link the event to
 * the current head atomically, so concurrent writers still produce one linear chain.
 */
export interface AuditStore {
  append(input: AuditEventInput): Promise<AuditEvent>;
  list(query?: AuditQuery): Promise<AuditEvent[]>;
  head(): Promise<AuditEvent | null>;
}
