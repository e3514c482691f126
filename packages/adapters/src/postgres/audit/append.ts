// Appends: events queue up and are written in batches (group commit), each batch linked to the head
// with a compare-and-swap statement, or under the head row lock when another writer moved it first.
import {
  type AuditEvent,
  type AuditEventInput,
  type AuditLogStore,
  IntelGraphError,
  linkAuditEvent,
  parseInput,
  serializeAuditEvent,
} from '@intelgraph/core';
import { z } from 'zod';
import type { AuditContext, Pending } from './context.js';

const InputSchema = z.object({
  id: z.string().min(1).max(200),
  at: z.string().min(1).max(64),
  type: z.string().min(1).max(200),
  actor: z.object({ userId: z.string().max(200), orgId: z.string().max(200) }).nullable(),
  subject: z.string().max(1_000),
  orgId: z.string().max(200).nullable(),
  data: z.json(),
});

/** The append method of the PostgreSQL audit store. */
export function appendMethods(ctx: AuditContext): Pick<AuditLogStore, 'append'> {
  const { maxEventChars, queue } = ctx;
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
        void flush(ctx);
      });
    },
  };
}

async function readHead({ db }: AuditContext): Promise<{ seq: number; hash: string }> {
  const { rows } = await db.query<{ seq: number | string; hash: string }>(
    'SELECT seq, hash FROM ig_audit_head WHERE id = 1',
  );
  const head = rows[0];
  if (!head) throw new IntelGraphError('INTERNAL', 'the audit head row is missing: run migrate() first');
  return { seq: Number(head.seq), hash: head.hash };
}

function link(head: { seq: number; hash: string }, batch: readonly Pending[]): AuditEvent[] {
  let previous: Pick<AuditEvent, 'seq' | 'hash'> | null =
    head.seq >= 0 ? { seq: head.seq, hash: head.hash } : null;
  return batch.map((p) => {
    const event = linkAuditEvent(previous, p.input);
    previous = event;
    return event;
  });
}

function columns(events: readonly AuditEvent[]): unknown[] {
  return [
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
}

const INSERT = `INSERT INTO ig_audit_events (seq, id, at, type, subject, org_id, prev_hash, hash, event)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[])`;

/** The contended path: lock the head row (first come, first served), link, insert, move the head. */
function writeLocked({ db }: AuditContext, batch: readonly Pending[]): Promise<AuditEvent[]> {
  return db.transaction(async (tx) => {
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
}

async function writeBatch(ctx: AuditContext, batch: readonly Pending[]): Promise<AuditEvent[]> {
  ctx.knownHead ??= await readHead(ctx);
  const head = ctx.knownHead;
  const events = link(head, batch);
  const last = events[events.length - 1];
  if (!last) return events;
  // The common path, one atomic statement (no BEGIN/COMMIT round trips): the data-modifying CTE moves
  // the head only from the expected position; the insert happens only if it did. `seq` is the primary
  // key, so a gap or fork still cannot be stored.
  const { rowCount } = await ctx.db.query(
    `WITH moved AS (
         UPDATE ig_audit_head SET seq = $10, hash = $11 WHERE id = 1 AND seq = $12 AND hash = $13 RETURNING 1
       )
       ${INSERT}
       WHERE EXISTS (SELECT 1 FROM moved)`,
    [...columns(events), last.seq, last.hash, head.seq, head.hash],
  );
  if (rowCount === events.length) {
    ctx.knownHead = { seq: last.seq, hash: last.hash };
    return events;
  }
  // Another writer moved the head first. Retrying the swap would favour whoever wrote last; the
  // row lock queues writers fairly, so a contended batch takes the transaction instead.
  ctx.knownHead = undefined;
  const written = await writeLocked(ctx, batch);
  const tail = written[written.length - 1];
  if (tail) ctx.knownHead = { seq: tail.seq, hash: tail.hash };
  return written;
}

async function flush(ctx: AuditContext): Promise<void> {
  if (ctx.flushing) return;
  ctx.flushing = true;
  try {
    while (ctx.queue.length > 0) {
      const batch = ctx.queue.splice(0, ctx.maxBatch);
      try {
        const events = await writeBatch(ctx, batch);
        for (const [i, p] of batch.entries()) {
          const event = events[i];
          if (event) p.resolve(event);
        }
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  } finally {
    ctx.flushing = false;
  }
}
