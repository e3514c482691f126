// Behaviour only a multi-connection PostgreSQL shows: SKIP LOCKED, and several hosts processing the same
// deadlines at once. (PGlite has a single connection, so these cases are PostgreSQL-only.)
import { createPgReviewStore } from '@intelgraph/adapters/postgres';
import {
  type Actor,
  createAuditTrail,
  createManualClock,
  createMemoryAuditStore,
  sequentialIds,
} from '@intelgraph/core';
import { createGovernance, definePolicy } from '@intelgraph/governance';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';

const T0 = Date.UTC(2026, 3, 1);
const HOUR = 3_600_000;
const alice: Actor = { userId: 'alice', orgId: 'acme', roles: [] };

describe('PostgreSQL review store under concurrency', () => {
  let opened: OpenedSql | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('skips a task another transaction holds when asked to, and waits for it otherwise', async () => {
    opened = await openTestPostgres({ poolSize: 4 });
    const { db } = opened;
    const store = createPgReviewStore(db);
    const gov = createGovernance({
      policies: [definePolicy({ kind: 'export', approvals: [{ count: 1, role: 'steward' }] })],
      appliers: { export: () => null },
      store,
      clock: createManualClock(T0),
      ids: sequentialIds(),
    });
    const t = await gov.request(alice, { kind: 'export', payload: {}, reason: 'r' });
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked: (pid: number) => void = () => {};
    const isLocked = new Promise<number>((r) => {
      locked = r;
    });
    const holder = db.transaction(async (tx) => {
      await tx.query('SELECT id FROM ig_governance_tasks WHERE id = $1 FOR UPDATE', [t.id]);
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      locked(Number(rows[0]?.pid));
      await held;
    });
    const holderPid = await isLocked;
    expect(
      await store.update(t.id, () => ({ change: null, result: 'ran' }), { skipLocked: true }),
    ).toBeNull();
    let waited = false;
    const waiting = store
      .update(t.id, () => ({ change: null, result: 'ran' }))
      .then((r) => {
        waited = true;
        return r;
      });
    // PostgreSQL itself shows the update waiting on the holder's row lock (and it has not returned).
    const blockedBy = async () => {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
        [holderPid],
      );
      return Number(rows[0]?.n);
    };
    let blocked = await blockedBy();
    while (blocked === 0 && !waited) blocked = await blockedBy();
    expect(waited).toBe(false);
    expect(blocked).toBe(1);
    release();
    await holder;
    expect((await waiting)?.result).toBe('ran');
  });

  it('escalates and expires each task once when three hosts tick at the same moment', async () => {
    opened = await openTestPostgres({ poolSize: 10 });
    const store = createPgReviewStore(opened.db);
    const clock = createManualClock(T0);
    const audit = createAuditTrail({ store: createMemoryAuditStore(), clock });
    const policies = [
      definePolicy({
        kind: 'export',
        approvals: [{ count: 1, role: 'steward' }],
        sla: { dueAfterMs: HOUR, escalation: [{ afterMs: 0, to: [{ role: 'ciso' }] }] },
        expiresAfterMs: 3 * HOUR,
      }),
    ];
    const hosts = [1, 2, 3].map((h) =>
      createGovernance({
        policies,
        appliers: { export: () => null },
        store,
        clock,
        audit,
        ids: sequentialIds(h * 1_000_000),
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push((await hosts[0]?.request(alice, { kind: 'export', payload: { i }, reason: 'r' }))?.id ?? '');
    clock.advance(HOUR);
    const first = await Promise.all(hosts.map((h) => h.tick({ limit: 100 })));
    expect(first.reduce((n, r) => n + r.escalated, 0)).toBe(20);
    expect(await audit.list({ type: 'review.escalated' })).toHaveLength(20);
    clock.advance(2 * HOUR);
    const second = await Promise.all(hosts.map((h) => h.tick({ limit: 100 })));
    expect(second.reduce((n, r) => n + r.expired, 0)).toBe(20);
    expect(await audit.list({ type: 'review.expired' })).toHaveLength(20);
    for (const id of ids) expect((await hosts[1]?.get(alice, id))?.state).toBe('expired');
    expect((await audit.verify()).ok).toBe(true);
  });
});
