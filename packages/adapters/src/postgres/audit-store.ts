import {
  type AuditCheckpointQuery,
  type AuditEvent,
  type AuditEventInput,
  type AuditLogStore,
  type AuditQuery,
  IntelGraphError,
  linkAuditEvent,
  parseInput,
  type SignedAuditCheckpoint,
  serializeAuditEvent,
} from '@intelgraph/core';
import { z } from 'zod';
import type { SqlDatabase } from './sql.js';

/**
 * Options of {@link createPgAuditStore}.
 *
 * @example
 * ```ts
 * const store = createPgAuditStore(db, { maxBatch: 200, maxEventChars: 256 * 1024 });
 * ```
 */
export interface PgAuditStoreOptions {
  /** Most events written by one statement when appends queue up (default 100). */
  maxBatch?: number;
  /** Largest stored event, in characters of canonical JSON (default 1 MiB). */
  maxEventChars?: number;
}

const InputSchema = z.object({
  id: z.string().min(1).max(200),
  at: z.string().min(1).max(64),
  type: z.string().min(1).max(200),
  actor: z.object({ userId: z.string().max(200), orgId: z.string().max(200) }).nullable(),
  subject: z.string().max(1_000),
  orgId: z.string().max(200).nullable(),
  data: z.json(),
});

const QuerySchema = z
  .object({
    afterSeq: z.number().int().optional(),
    limit: z.number().int().optional(),
    subject: z.string().max(1_000).optional(),
    orgId: z.string().max(200).optional(),
    type: z.string().max(200).optional(),
  })
  .optional();

const NodeRefs = z.array(
  z.object({ level: z.number().int().min(0).max(62), index: z.number().int().nonnegative() }),
);
const Nodes = z.array(
  z.object({
    level: z.number().int().min(0).max(62),
    index: z.number().int().nonnegative(),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
const Size = z.number().int().nonnegative();
const CheckpointSchema = z.object({
  treeSize: Size,
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.string().min(1).max(64),
  keyId: z.string().regex(/^[0-9a-f]{64}$/),
  signature: z.string().min(1).max(200),
});
const CheckpointQuerySchema = z
  .object({ afterSize: z.number().int().optional(), limit: z.number().int().optional() })
  .optional();
// Nodes per INSERT statement when the tree grows by a large batch (a first sync over a long chain).
const NODE_CHUNK = 20_000;

interface CheckpointRow {
  tree_size: number | string;
  root_hash: string;
  time: string;
  key_id: string;
  signature: string;
}
const toCheckpoint = (r: CheckpointRow): SignedAuditCheckpoint => ({
  treeSize: Number(r.tree_size),
  rootHash: r.root_hash,
  time: r.time,
  keyId: r.key_id,
  signature: r.signature,
});

interface Pending {
  input: AuditEventInput;
  resolve(event: AuditEvent): void;
  reject(err: unknown): void;
}

/**
 * The hash-chained audit log on PostgreSQL or PGlite (tables `ig_audit_events` and `ig_audit_head`,
 * migration `audit_0001_chain`). An append is one statement that moves the single head row from where
 * this store last saw it (compare-and-swap) and inserts the linked events only if it did; when another
 * connection or host moved the head first, that batch takes a transaction that locks the head row
 * (`SELECT … FOR UPDATE`, first come first served), links to it, inserts and moves the head. Writers on any
 * number of connections and hosts so produce one linear chain; `seq` is the primary key, so a gap or
 * fork cannot be stored. Appends that arrive while a transaction is in flight are written together by the next one
 * (group commit), which multiplies throughput under load without changing the chain. Each event is
 * stored as the canonical JSON that was hashed, byte for byte.
 *
 * @example
 * ```ts
 * import { createAuditTrail } from '@intelgraph/core';
 * import { createPgAuditStore, createPgDatabase, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const audit = createAuditTrail({ store: createPgAuditStore(db) });
 * await audit.record({ type: 'plugin.installed', actor: { userId: 'alice', orgId: 'acme' }, subject: 'plugin:sample-enricher', orgId: 'acme' });
 * (await audit.verify()).ok; // true
 * ```
 */
export function createPgAuditStore(db: SqlDatabase, options: PgAuditStoreOptions = {}): AuditLogStore {
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 100, 1_000));
  const maxEventChars = options.maxEventChars ?? 1_048_576;
  const queue: Pending[] = [];
  let flushing = false;

  // The head this store last wrote or read. Appends compare-and-swap it: one statement moves the head
  // row only if it is still where we left it, and inserts the batch only if the head moved. A writer
  // elsewhere (another connection or host) makes the swap miss; we then re-read the head and re-link.
  let knownHead: { seq: number; hash: string } | undefined;
  const readHead = async () => {
    const { rows } = await db.query<{ seq: number | string; hash: string }>(
      'SELECT seq, hash FROM ig_audit_head WHERE id = 1',
    );
    const head = rows[0];
    if (!head) throw new IntelGraphError('INTERNAL', 'the audit head row is missing: run migrate() first');
    return { seq: Number(head.seq), hash: head.hash };
  };

  const link = (head: { seq: number; hash: string }, batch: readonly Pending[]): AuditEvent[] => {
    let previous: Pick<AuditEvent, 'seq' | 'hash'> | null =
      head.seq >= 0 ? { seq: head.seq, hash: head.hash } : null;
    return batch.map((p) => {
      const event = linkAuditEvent(previous, p.input);
      previous = event;
      return event;
    });
  };
  const columns = (events: readonly AuditEvent[]) => [
    events.map((e) => e.seq),
    events.map((e) => e.id),
    events.map((e) => e.at),
    events.map((e) => e.type),
    events.map((e) => e.subject),
    events.map((e) => e.orgId),
    events.map((e) => e.prevHash),
    events.map((e) => e.hash),
    events.map((e) => serializeAuditEvent(e)),
  ];
  const INSERT = `INSERT INTO ig_audit_events (seq, id, at, type, subject, org_id, prev_hash, hash, event)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[])`;

  /** The contended path: lock the head row (first come, first served), link, insert, move the head. */
  const writeLocked = (batch: readonly Pending[]) =>
    db.transaction(async (tx) => {
      const { rows } = await tx.query<{ seq: number | string; hash: string }>(
        'SELECT seq, hash FROM ig_audit_head WHERE id = 1 FOR UPDATE',
      );
      const row = rows[0];
      if (!row) throw new IntelGraphError('INTERNAL', 'the audit head row is missing: run migrate() first');
      const events = link({ seq: Number(row.seq), hash: row.hash }, batch);
      await tx.query(INSERT, columns(events));
      const last = events[events.length - 1];
      if (last)
        await tx.query('UPDATE ig_audit_head SET seq = $1, hash = $2 WHERE id = 1', [last.seq, last.hash]);
      return events;
    });

  const writeBatch = async (batch: readonly Pending[]): Promise<AuditEvent[]> => {
    knownHead ??= await readHead();
    const head = knownHead;
    const events = link(head, batch);
    const last = events[events.length - 1];
    if (!last) return events;
    // The common path, one atomic statement (no BEGIN/COMMIT round trips): the data-modifying CTE moves
    // the head only from the expected position; the insert happens only if it did. `seq` is the primary
    // key, so a gap or fork still cannot be stored.
    const { rowCount } = await db.query(
      `WITH moved AS (
         UPDATE ig_audit_head SET seq = $10, hash = $11 WHERE id = 1 AND seq = $12 AND hash = $13 RETURNING 1
       )
       ${INSERT}
       WHERE EXISTS (SELECT 1 FROM moved)`,
      [...columns(events), last.seq, last.hash, head.seq, head.hash],
    );
    if (rowCount === events.length) {
      knownHead = { seq: last.seq, hash: last.hash };
      return events;
    }
    // Another writer moved the head first. Retrying the swap would favour whoever wrote last; the
    // row lock queues writers fairly, so a contended batch takes the transaction instead.
    knownHead = undefined;
    const written = await writeLocked(batch);
    const tail = written[written.length - 1];
    if (tail) knownHead = { seq: tail.seq, hash: tail.hash };
    return written;
  };

  const flush = async () => {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        try {
          const events = await writeBatch(batch);
          for (const [i, p] of batch.entries()) {
            const event = events[i];
            if (event) p.resolve(event);
          }
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      flushing = false;
    }
  };

  return {
    async append(input) {
      const parsed: AuditEventInput = parseInput(InputSchema, input, 'audit event');
      // Link once up front so oversized or unserialisable data fails this call alone, not a batch.
      const size = serializeAuditEvent(linkAuditEvent(null, parsed)).length;
      if (size > maxEventChars) {
        throw new IntelGraphError(
          'PAYLOAD_TOO_LARGE',
          `audit event of ${size} characters exceeds ${maxEventChars}`,
          {
            details: { limit: maxEventChars, observed: size },
          },
        );
      }
      return new Promise<AuditEvent>((resolve, reject) => {
        queue.push({ input: parsed, resolve, reject });
        void flush();
      });
    },

    async list(query?: AuditQuery) {
      const q = parseInput(QuerySchema, query, 'audit query') ?? {};
      const limit = Math.max(0, Math.min(q.limit ?? 1000, 10_000));
      if (limit === 0) return [];
      const { rows } = await db.query<{ event: string }>(
        `SELECT event FROM ig_audit_events
         WHERE ($1::bigint IS NULL OR seq > $1::bigint)
           AND ($2::text IS NULL OR subject = $2::text)
           AND ($3::text IS NULL OR org_id = $3::text)
           AND ($4::text IS NULL OR type = $4::text)
         ORDER BY seq
         LIMIT $5`,
        [q.afterSeq ?? null, q.subject ?? null, q.orgId ?? null, q.type ?? null, limit],
      );
      return rows.map((r) => JSON.parse(r.event) as AuditEvent);
    },

    async head() {
      const { rows } = await db.query<{ event: string }>(
        'SELECT event FROM ig_audit_events ORDER BY seq DESC LIMIT 1',
      );
      const row = rows[0];
      return row ? (JSON.parse(row.event) as AuditEvent) : null;
    },

    async treeSize() {
      const { rows } = await db.query<{ size: number | string }>(
        'SELECT size FROM ig_audit_tree_head WHERE id = 1',
      );
      const row = rows[0];
      if (!row)
        throw new IntelGraphError('INTERNAL', 'the audit tree head row is missing: run migrate() first');
      return Number(row.size);
    },

    async readTreeNodes(refs) {
      const wanted = parseInput(NodeRefs, refs, 'Merkle node refs');
      if (wanted.length === 0) return [];
      const { rows } = await db.query<{ level: number; idx: number | string; hash: string }>(
        `SELECT n.level, n.idx, n.hash FROM ig_audit_tree_nodes n
         JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
        [wanted.map((r) => r.level), wanted.map((r) => r.index)],
      );
      const found = new Map(rows.map((r) => [`${r.level}/${Number(r.idx)}`, r.hash]));
      return wanted.map((r) => {
        const hash = found.get(`${r.level}/${r.index}`);
        if (hash === undefined) {
          throw new IntelGraphError('NOT_FOUND', `no Merkle node at level ${r.level} index ${r.index}`);
        }
        return hash;
      });
    },

    async extendTree(fromSize, toSize, nodes) {
      parseInput(Size, fromSize, 'tree size');
      parseInput(Size, toSize, 'tree size');
      const added = parseInput(Nodes, nodes, 'Merkle nodes');
      await db.transaction(async (tx) => {
        // The head row lock orders hosts; a host that read an older size gets CONFLICT and re-reads.
        const { rows } = await tx.query<{ size: number | string; head: number | string | null }>(
          `SELECT t.size, (SELECT seq FROM ig_audit_head WHERE id = 1) AS head
           FROM ig_audit_tree_head t WHERE t.id = 1 FOR UPDATE`,
        );
        const row = rows[0];
        if (!row)
          throw new IntelGraphError('INTERNAL', 'the audit tree head row is missing: run migrate() first');
        if (Number(row.size) !== fromSize) {
          throw new IntelGraphError(
            'CONFLICT',
            `the Merkle tree has ${Number(row.size)} events, not ${fromSize}`,
          );
        }
        if (toSize < fromSize || toSize > Number(row.head ?? -1) + 1) {
          throw new IntelGraphError('INVALID_INPUT', `cannot grow the Merkle tree to ${toSize} events`);
        }
        for (let i = 0; i < added.length; i += NODE_CHUNK) {
          const chunk = added.slice(i, i + NODE_CHUNK);
          await tx.query(
            `INSERT INTO ig_audit_tree_nodes (level, idx, hash)
             SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[])
             ON CONFLICT (level, idx) DO UPDATE SET hash = EXCLUDED.hash`, // nodes left above a reset size
            [chunk.map((n) => n.level), chunk.map((n) => n.index), chunk.map((n) => n.hash)],
          );
        }
        await tx.query('UPDATE ig_audit_tree_head SET size = $1 WHERE id = 1', [toSize]);
      });
    },

    async putCheckpoint(checkpoint) {
      const c = parseInput(CheckpointSchema, checkpoint, 'audit checkpoint');
      await db.query(
        `INSERT INTO ig_audit_checkpoints (tree_size, root_hash, time, key_id, signature)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING`,
        [c.treeSize, c.rootHash, c.time, c.keyId, c.signature],
      );
    },

    async listCheckpoints(query?: AuditCheckpointQuery) {
      const q = parseInput(CheckpointQuerySchema, query, 'checkpoint query') ?? {};
      const limit = Math.max(0, Math.min(q.limit ?? 1000, 10_000));
      const { rows } = await db.query<CheckpointRow>(
        `SELECT tree_size, root_hash, time, key_id, signature FROM ig_audit_checkpoints
         WHERE ($1::bigint IS NULL OR tree_size > $1::bigint) ORDER BY tree_size LIMIT $2`,
        [q.afterSize ?? null, limit],
      );
      return rows.map(toCheckpoint);
    },

    async latestCheckpoint() {
      const { rows } = await db.query<CheckpointRow>(
        `SELECT tree_size, root_hash, time, key_id, signature FROM ig_audit_checkpoints
         ORDER BY tree_size DESC LIMIT 1`,
      );
      const row = rows[0];
      return row ? toCheckpoint(row) : null;
    },
  };
}
