// The PostgreSQL audit store beyond the port's conformance suite: several hosts with their own pools,
// tampering detected from the stored bytes, boundary checks, and a database that is down.
import { createPgAuditStore, createPgDatabase, type SqlDatabase } from '@intelgraph/adapters/postgres';
import { type AuditEventInput, isIntelGraphError, verifyAuditChain } from '@intelgraph/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_URL } from '../../support/env.js';
import { openTestPostgres } from '../../support/sql.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function input(n: number, host: string): AuditEventInput {
  return {
    id: `${host}_${n}`,
    at: new Date(Date.UTC(2026, 3, 1, 0, 0, n)).toISOString(),
    type: 'plugin.run',
    actor: { userId: 'alice', orgId: 'acme' },
    subject: `host:${host}`,
    orgId: 'acme',
    data: { n, host },
  };
}

async function openShared(): Promise<SqlDatabase> {
  const opened = await openTestPostgres({ poolSize: 4 });
  cleanups.push(opened.close);
  return opened.db;
}

describe('PostgreSQL audit store', () => {
  it('keeps one chain when three hosts with separate pools append at once', async () => {
    const first = await openShared();
    const others = await Promise.all(
      [1, 2].map(() => createPgDatabase({ connectionString: PG_URL, schema: first.schema, max: 4 })),
    );
    for (const db of others) cleanups.push(() => db.close());
    const hosts = [first, ...others].map((db, i) => ({
      name: `h${i}`,
      store: createPgAuditStore(db, { maxBatch: 7 }),
    }));

    await Promise.all(
      hosts.flatMap((h) => Array.from({ length: 60 }, (_, n) => h.store.append(input(n, h.name)))),
    );

    const chain = await hosts[2]?.store.list({ limit: 10_000 });
    expect(chain).toHaveLength(180);
    expect(verifyAuditChain(chain ?? [])).toMatchObject({ ok: true, count: 180 });
    for (const h of hosts) {
      const own = (chain ?? [])
        .filter((e) => e.subject === `host:${h.name}`)
        .map((e) => (e.data as { n: number }).n);
      expect(own).toEqual(Array.from({ length: 60 }, (_, n) => n)); // each host's appends keep their order
    }
  });

  it('detects an event edited in the table', async () => {
    const db = await openShared();
    const store = createPgAuditStore(db);
    for (let n = 0; n < 5; n++) await store.append(input(n, 'h'));
    await db.query(`UPDATE ig_audit_events SET event = replace(event, '"n":2', '"n":3') WHERE seq = 2`);
    const { rows } = await db.query<{ event: string }>('SELECT event FROM ig_audit_events ORDER BY seq');
    expect(verifyAuditChain(rows.map((r) => r.event))).toMatchObject({
      ok: false,
      index: 2,
      reason: 'hash_mismatch',
    });
  });

  it('refuses a second event at a taken position, so a fork cannot be stored', async () => {
    const db = await openShared();
    const store = createPgAuditStore(db);
    const e0 = await store.append(input(0, 'h'));
    await expect(
      db.query(
        'INSERT INTO ig_audit_events (seq, id, at, type, subject, org_id, prev_hash, hash, event) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [0, 'fork', e0.at, e0.type, e0.subject, e0.orgId, e0.prevHash, 'f'.repeat(64), '{}'],
      ),
    ).rejects.toThrow();
    expect(await store.list()).toEqual([e0]);
  });

  it('rejects malformed and oversized events without touching the chain', async () => {
    const db = await openShared();
    const store = createPgAuditStore(db, { maxEventChars: 2_000 });
    const bad = [{ ...input(0, 'h'), id: '' }, { ...input(0, 'h'), data: undefined }, null];
    for (const b of bad) {
      await expect(store.append(b as never)).rejects.toSatisfy((e) => isIntelGraphError(e, 'INVALID_INPUT'));
    }
    await expect(store.append({ ...input(0, 'h'), data: 'x'.repeat(3_000) })).rejects.toSatisfy((e) =>
      isIntelGraphError(e, 'PAYLOAD_TOO_LARGE'),
    );
    await expect(store.list({ limit: 1.5 })).rejects.toSatisfy((e) => isIntelGraphError(e, 'INVALID_INPUT'));
    expect(await store.head()).toBeNull();
    expect((await store.append(input(1, 'h'))).seq).toBe(0);
  });

  it('fails with UNAVAILABLE when PostgreSQL cannot be reached', async () => {
    const db = await createPgDatabase({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMs: 500,
    });
    cleanups.push(() => db.close());
    const store = createPgAuditStore(db);
    await expect(store.append(input(0, 'h'))).rejects.toSatisfy((e) => isIntelGraphError(e, 'UNAVAILABLE'));
    await expect(store.list()).rejects.toSatisfy((e) => isIntelGraphError(e, 'UNAVAILABLE'));
  });
});
