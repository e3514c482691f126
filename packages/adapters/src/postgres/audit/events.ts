// Reads of the event chain: a filtered page in order, and the head event.
import { type AuditEvent, type AuditLogStore, type AuditQuery, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import type { AuditContext } from './context.js';

const QuerySchema = z
  .object({
    afterSeq: z.number().int().optional(),
    limit: z.number().int().optional(),
    subject: z.string().max(1_000).optional(),
    orgId: z.string().max(200).optional(),
    type: z.string().max(200).optional(),
  })
  .optional();

/** The event reads of the PostgreSQL audit store. */
export function eventMethods({ db }: AuditContext): Pick<AuditLogStore, 'list' | 'head'> {
  return {
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
  };
}
