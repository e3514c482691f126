// What every concern of the PostgreSQL audit store shares: the database, the limits and the append
// queue with the head this store last saw.
import type { AuditEvent, AuditEventInput } from '@intelgraph/core';
import type { SqlDatabase } from '../sql.js';

/** An append waiting in the queue for the next group commit. */
export interface Pending {
  input: AuditEventInput;
  resolve(event: AuditEvent): void;
  reject(err: unknown): void;
}

/** The state the audit store's concerns share. */
export interface AuditContext {
  readonly db: SqlDatabase;
  /** Most events written by one statement. */
  readonly maxBatch: number;
  /** Largest stored event, in characters of canonical JSON. */
  readonly maxEventChars: number;
  /** Appends waiting for the next batch. */
  readonly queue: Pending[];
  /** Whether a flush is draining the queue. */
  flushing: boolean;
  /**
   * The head this store last wrote or read. Appends compare-and-swap it: one statement moves the head
   * row only if it is still where we left it, and inserts the batch only if the head moved. A writer
   * elsewhere (another connection or host) makes the swap miss; we then re-read the head and re-link.
   */
  knownHead: { seq: number; hash: string } | undefined;
}
