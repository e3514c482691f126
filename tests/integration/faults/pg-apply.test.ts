// Fault: the PostgreSQL connection dies during a governance apply. Governance runs on the real
// PostgreSQL (a schema of its own); the test terminates its OWN backend with pg_terminate_backend from
// inside the transaction it wants to break (never anybody else's connection, never the server). The
// applier changes a table keyed by the apply's idempotency key, as a real target system would.
import type { SqlDatabase, SqlExecutor } from '@intelgraph/adapters/postgres';
import { createPgAuditStore, createPgReviewStore } from '@intelgraph/adapters/postgres';
import {
  createAuditTrail,
  createAuthorizer,
  createManualClock,
  isIntelGraphError,
  sequentialIds,
} from '@intelgraph/core';
import { createGovernance, type Governance } from '@intelgraph/governance';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';

const requester = { userId: 'alice', orgId: 'acme', roles: ['analyst'] };
const steward = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const admin = { userId: 'root', orgId: 'acme', roles: ['admin'] };
const LEASE_MS = 60_000;

/**
 * The database, except that the next transaction after `killNext()` starts by terminating its own
 * backend: every statement after that fails on the dead connection, as when an operator or a failover
 * kills it.
 */
function killable(db: SqlDatabase) {
  let armed = false;
  let kills = 0;
  const wrapped: SqlDatabase = {
    kind: db.kind,
    schema: db.schema,
    query: (text, params) => db.query(text, params),
    exec: (script) => db.exec(script),
    ping: () => db.ping(),
    close: () => db.close(),
    transaction: <T>(
      fn: (tx: SqlExecutor) => Promise<T>,
      options?: Parameters<SqlDatabase['transaction']>[1],
    ) =>
      db.transaction(async (tx) => {
        if (armed) {
          armed = false;
          kills++;
          await tx.query('SELECT pg_terminate_backend(pg_backend_pid())').catch(() => undefined);
        }
        return fn(tx);
      }, options),
  };
  return {
    db: wrapped,
    killNext: () => {
      armed = true;
    },
    kills: () => kills,
  };
}

describe('fault: PostgreSQL connection killed during a governance apply', () => {
  let opened: OpenedSql;
  let governance: Governance;
  let clock: ReturnType<typeof createManualClock>;
  let pg: ReturnType<typeof killable>;
  const invocations: { key: string; attempt: number }[] = [];
  let killDuring: 'none' | 'finish' = 'none';
  let idBase = 0;

  beforeAll(async () => {
    opened = await openTestPostgres({ poolSize: 4 });
    await opened.db.exec(
      'CREATE TABLE fault_effects (idempotency_key TEXT PRIMARY KEY, task_id TEXT NOT NULL, value INTEGER NOT NULL)',
    );
  });
  afterAll(async () => opened?.close());

  beforeEach(() => {
    invocations.length = 0;
    killDuring = 'none';
    clock = createManualClock(Date.UTC(2026, 3, 1));
    idBase += 100_000;
    pg = killable(opened.db);
    const audit = createAuditTrail({ store: createPgAuditStore(opened.db), clock, ids: sequentialIds(1) });
    governance = createGovernance({
      policies: [
        { kind: 'fault_change', description: 'fault test', approvals: [{ count: 1, role: 'steward' }] },
      ],
      appliers: {
        // The target system deduplicates on the idempotency key: a second attempt changes nothing.
        fault_change: async (task, ctx) => {
          invocations.push({ key: ctx.idempotencyKey, attempt: ctx.attempt });
          const r = await opened.db.query(
            'INSERT INTO fault_effects (idempotency_key, task_id, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
            [ctx.idempotencyKey, task.id, (task.payload as { value: number }).value],
          );
          // The transaction that records the outcome is the one that loses its connection.
          if (killDuring === 'finish') pg.killNext();
          return { inserted: r.rowCount };
        },
      },
      store: createPgReviewStore(pg.db),
      clock,
      ids: sequentialIds(idBase + 50_000),
      audit,
      applyLeaseMs: LEASE_MS,
      authorizer: createAuthorizer({ roles: { 'governance.audit': ['admin'] } }),
    });
  });

  const effects = async (taskId: string) =>
    (await opened.db.query<{ value: number }>('SELECT value FROM fault_effects WHERE task_id = $1', [taskId]))
      .rows;

  it('killed while recording the outcome: the decision stands, the retry completes, the change applies once', async () => {
    const task = await governance.request(requester, {
      kind: 'fault_change',
      payload: { value: 7 },
      reason: 'r',
    });
    killDuring = 'finish';
    const error = await governance.approve(steward, task.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(pg.kills()).toBe(1);
    expect(isIntelGraphError(error) && error.code).toBe('UNAVAILABLE');
    killDuring = 'none';

    // The approval was committed before the apply: it is not lost.
    const after = await governance.get(admin, task.id);
    expect(after.state).toBe('approved');
    expect(after.decisions.map((d) => d.actor?.userId ?? null)).toEqual(['bob']);
    expect(after.apply?.status).toBe('running');
    // The change itself happened once; its outcome was not recorded.
    expect(await effects(task.id)).toEqual([{ value: 7 }]);

    // While the claim's lease runs, a retry is refused (it may still be running elsewhere).
    await expect(governance.retryApply(admin, task.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    // Once it runs out, the deadline processor marks it failed, and a deliberate retry completes it.
    clock.advance(LEASE_MS + 1);
    const tick = await governance.tick();
    expect(tick.staleFailed).toBe(1);
    expect((await governance.get(admin, task.id)).apply?.status).toBe('failed');
    const retried = await governance.retryApply(admin, task.id);
    expect(retried.state).toBe('applied');

    // Two attempts with the same idempotency key, one effect: no double apply.
    expect(invocations).toHaveLength(2);
    expect(new Set(invocations.map((i) => i.key)).size).toBe(1);
    expect(invocations.map((i) => i.attempt)).toEqual([1, 2]);
    expect(await effects(task.id)).toEqual([{ value: 7 }]);
    expect((await governance.get(admin, task.id)).apply?.result).toEqual({ inserted: 0 });

    const trail = await governance.auditTrail(task.id, admin);
    expect(trail.verified).toBe(true);
    const types = trail.events.map((e) => e.type);
    expect(types.filter((t) => t === 'review.apply_started')).toHaveLength(2);
    expect(types.filter((t) => t === 'review.applied')).toHaveLength(1);
    expect(types).toContain('review.apply_failed');
  });

  it('killed while claiming the apply: nothing ran, the decision stands, the next tick applies it once', async () => {
    const task = await governance.request(requester, {
      kind: 'fault_change',
      payload: { value: 9 },
      reason: 'r',
    });
    // The approval is one transaction, the claim the next one: kill the claim.
    const original = pg.db.transaction;
    let seen = 0;
    pg.db.transaction = ((fn, options) => {
      seen++;
      if (seen === 2) pg.killNext();
      return original(fn, options);
    }) as SqlDatabase['transaction'];
    const error = await governance.approve(steward, task.id).then(
      () => null,
      (e: unknown) => e,
    );
    pg.db.transaction = original;
    expect(pg.kills()).toBe(1);
    expect(isIntelGraphError(error) && error.code).toBe('UNAVAILABLE');
    expect(invocations).toHaveLength(0);

    const after = await governance.get(admin, task.id);
    expect(after.state).toBe('approved');
    expect(after.decisions.map((d) => d.actor?.userId ?? null)).toEqual(['bob']);
    expect(after.apply?.status).toBe('pending');

    // The deadline processor picks up an approved task whose apply never started (after the grace).
    clock.advance(120_000);
    const tick = await governance.tick();
    expect(tick.applied).toBe(1);
    expect((await governance.get(admin, task.id)).state).toBe('applied');
    expect(invocations).toHaveLength(1);
    expect(await effects(task.id)).toEqual([{ value: 9 }]);
    // A second tick has nothing left to do.
    expect((await governance.tick()).applied).toBe(0);
    expect(invocations).toHaveLength(1);
  });
});
