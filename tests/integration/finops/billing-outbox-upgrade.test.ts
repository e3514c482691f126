// Migration billing_0002_delivery over an outbox written by the previous version: old rows read as before
// (their attempts used the identifier as the idempotency key), and a dead one re-queues under a fresh key.
import {
  allMigrations,
  createPGliteDatabase,
  createPgBillingOutbox,
  migrate,
} from '@intelgraph/adapters/postgres';
import { describe, expect, it } from 'vitest';

describe('billing outbox upgrade (billing_0002_delivery)', () => {
  it('keeps rows written before it readable, re-queueable and countable', async () => {
    const db = await createPGliteDatabase();
    try {
      await migrate(db, { migrations: allMigrations.filter((m) => m.id !== 'billing_0002_delivery') });
      const event = (id: string) =>
        JSON.stringify({
          event_name: 'intelgraph_plugin_cost',
          payload: { stripe_customer_id: 'cus_1', value: '5' },
          identifier: id,
          timestamp: 1_767_225_600,
        });
      await db.query(
        `INSERT INTO ig_billing_outbox (identifier, event, org, plugin, run_id, created_at, next_attempt_at, status, attempts, last_error)
         VALUES ('old_pending', $1::jsonb, 'o', 'p', 'old_pending', 1, 1, 'pending', 0, NULL),
                ('old_dead', $2::jsonb, 'o', 'p', 'old_dead', 1, 1, 'dead', 10, 'HTTP 500: replayed')`,
        [event('old_pending'), event('old_dead')],
      );
      expect((await migrate(db)).applied).toEqual(['billing_0002_delivery']);
      const outbox = createPgBillingOutbox(db);
      expect(await outbox.get('old_pending')).toMatchObject({
        status: 'pending',
        idempotencyKey: 'old_pending',
        outcome: null,
        uncertainSince: null,
      });
      expect(await outbox.counts()).toEqual({ pending: 1, delivered: 0, skipped: 0, dead: 1 });
      // The old runbook re-queued under the same key, which Stripe answered with the saved 500: now a fresh one.
      expect(await outbox.requeue({ now: 5, keySuffix: 'rq_1' })).toEqual(['old_dead']);
      expect(await outbox.get('old_dead')).toMatchObject({
        status: 'pending',
        idempotencyKey: 'old_dead:rq_1',
        attempts: 0,
      });
      // The widened status check accepts `skipped`.
      await outbox.append([
        {
          event: JSON.parse(event('new_zero')),
          org: 'o',
          plugin: 'p',
          runId: 'new_zero',
          createdAt: 2,
          skip: 'zero_quantity',
        },
      ]);
      expect(await outbox.get('new_zero')).toMatchObject({ status: 'skipped', outcome: 'zero_quantity' });
    } finally {
      await db.close();
    }
  });
});
