import type { AuditEvent, AuditEventInput } from '../audit.js';
import type { SignedAuditCheckpoint } from '../checkpoint.js';
import type { MerkleNode, MerkleNodeRef } from '../merkle.js';

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

/** Filters for reading checkpoints; results ascend by `treeSize`. */
export interface AuditCheckpointQuery {
  /** Only checkpoints with `treeSize` greater than this (cursor). */
  afterSize?: number;
  /** At most this many (stores cap it; default 1000). */
  limit?: number;
}

/**
 * Port: an {@link AuditStore} that also keeps the RFC 9162 Merkle tree over its events (the hashes of
 * every complete perfect subtree, so any proof is O(log n) node reads) and the signed checkpoints.
 * The tree is an index derived from the events: it can always be rebuilt from them.
 */
export interface AuditLogStore extends AuditStore {
  /** How many events (from `seq` 0) the stored tree covers. */
  treeSize(): Promise<number>;
  /** Hashes of perfect subtrees, in the order asked; `NOT_FOUND` when one is not stored. */
  readTreeNodes(refs: readonly MerkleNodeRef[]): Promise<string[]>;
  /**
   * Stores the nodes that grow the tree from `fromSize` to `toSize` events, only if the tree still has
   * `fromSize` (compare-and-swap across hosts); `CONFLICT` when another writer moved it first.
   */
  extendTree(fromSize: number, toSize: number, nodes: readonly MerkleNode[]): Promise<void>;
  /** Stores a signed checkpoint (idempotent per tree size and signature). */
  putCheckpoint(checkpoint: SignedAuditCheckpoint): Promise<void>;
  listCheckpoints(query?: AuditCheckpointQuery): Promise<SignedAuditCheckpoint[]>;
  /** The checkpoint with the largest tree size, or `null`. */
  latestCheckpoint(): Promise<SignedAuditCheckpoint | null>;
}
