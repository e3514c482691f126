import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditEventInput,
  assertAuditChain,
  GENESIS_HASH,
  linkAuditEvent,
  serializeAuditEvent,
  verifyAuditChain,
} from './audit.js';
import { createAuditTrail, createMemoryAuditStore } from './audit-trail.js';
import { createManualClock } from './clock.js';
import { sequentialIds } from './ids.js';

function input(i: number, data: AuditEventInput['data'] = { i }): AuditEventInput {
  return {
    id: `a${i}`,
    at: new Date(Date.UTC(2026, 3, 1, 0, 0, i)).toISOString(),
    type: 'test.event',
    actor: { userId: 'alice', orgId: 'acme' },
    subject: `thing:${i % 3}`,
    orgId: 'acme',
    data,
  };
}

function chain(n: number, dataFor: (i: number) => AuditEventInput['data'] = (i) => ({ i })): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (let i = 0; i < n; i++) out.push(linkAuditEvent(out.at(-1) ?? null, input(i, dataFor(i))));
  return out;
}

describe('audit chain', () => {
  it('links each event to the previous hash, starting from genesis', () => {
    const events = chain(3);
    expect(events[0]?.prevHash).toBe(GENESIS_HASH);
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(verifyAuditChain(events)).toEqual({ ok: true, count: 3, headHash: events[2]?.hash });
    expect(verifyAuditChain(events.map(serializeAuditEvent)).ok).toBe(true);
    expect(verifyAuditChain([])).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH });
  });

  it('reports the index and reason of an edited, removed or reordered event', () => {
    const events = chain(5);
    const edited = events.map((e) => ({ ...e }));
    edited[2] = { ...edited[2]!, data: { i: 99 } };
    expect(verifyAuditChain(edited)).toMatchObject({ ok: false, index: 2, reason: 'hash_mismatch' });

    const removed = [...events.slice(0, 2), ...events.slice(3)];
    expect(verifyAuditChain(removed)).toMatchObject({ ok: false, index: 2, reason: 'sequence_gap' });

    const rehashedForgery = chain(5);
    rehashedForgery[3] = linkAuditEvent(rehashedForgery[1]!, input(3));
    rehashedForgery[3] = { ...rehashedForgery[3], seq: 3 };
    expect(verifyAuditChain(rehashedForgery)).toMatchObject({ ok: false, index: 3 });

    expect(() => assertAuditChain(edited)).toThrow(/index 2/);
  });

  it('verifies a contiguous slice given its anchor', () => {
    const events = chain(6);
    expect(verifyAuditChain(events.slice(3), { anchor: events[2]! }).ok).toBe(true);
    expect(verifyAuditChain(events.slice(3)).ok).toBe(false);
  });

  it('rejects stored strings that are not canonical even when they parse to the same value', () => {
    const [e] = chain(1);
    const spaced = JSON.stringify(e, null, 1);
    expect(verifyAuditChain([spaced])).toMatchObject({ ok: false, index: 0, reason: 'not_canonical' });
    expect(verifyAuditChain(['{not json'])).toMatchObject({ ok: false, index: 0, reason: 'unparseable' });
  });

  it('property: any single-byte change to any stored event is reported at exactly that index', () => {
    const stored = chain(6, (i) => ({
      i,
      note: `n${i} ü`,
      tags: ['x', 'y'],
      nested: { ok: i % 2 === 0, v: i * 1.5 },
    })).map(serializeAuditEvent);
    fc.assert(
      fc.property(
        fc.nat({ max: stored.length - 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (eventIndex, offsetSeed, xor) => {
          const bytes = Buffer.from(stored[eventIndex]!, 'utf8');
          const offset = offsetSeed % bytes.length;
          bytes[offset] = bytes[offset]! ^ xor;
          const tampered = [...stored];
          tampered[eventIndex] = bytes.toString('utf8');
          const r = verifyAuditChain(tampered);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.index).toBe(eventIndex);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('memory audit store and trail', () => {
  it('keeps one linear chain under concurrent appends', async () => {
    const store = createMemoryAuditStore();
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(input(i))));
    const events = await store.list({ limit: 1000 });
    expect(events).toHaveLength(100);
    expect(verifyAuditChain(events).ok).toBe(true);
    expect((await store.head())?.seq).toBe(99);
  });

  it('filters and pages in chain order', async () => {
    const store = createMemoryAuditStore();
    for (let i = 0; i < 9; i++) await store.append(input(i));
    expect((await store.list({ subject: 'thing:1' })).map((e) => e.seq)).toEqual([1, 4, 7]);
    expect((await store.list({ afterSeq: 5, limit: 2 })).map((e) => e.seq)).toEqual([6, 7]);
  });

  it('returns copies, so callers cannot rewrite history', async () => {
    const store = createMemoryAuditStore();
    const e = await store.append(input(0));
    (e as { type: string }).type = 'forged';
    expect((await store.list())[0]?.type).toBe('test.event');
  });

  it('records with the injected clock and ids and verifies the whole log', async () => {
    const audit = createAuditTrail({
      store: createMemoryAuditStore(),
      clock: createManualClock(Date.UTC(2026, 3, 1)),
      ids: sequentialIds(),
    });
    const e = await audit.record({
      type: 'grant.added',
      actor: null,
      subject: 'plugin:x',
      orgId: 'acme',
      data: { scope: 'graph:read' },
    });
    expect(e).toMatchObject({ id: 'audit_000001', at: '2026-04-01T00:00:00.000Z', seq: 0 });
    for (let i = 0; i < 1500; i++) await audit.record({ type: 't', actor: null, subject: 's', orgId: null });
    expect(await audit.verify()).toMatchObject({ ok: true, count: 1501 });
  });
});

describe('audit trail head', () => {
  it('returns the newest event, or null when empty', async () => {
    const audit = createAuditTrail({ store: createMemoryAuditStore(), ids: sequentialIds() });
    expect(await audit.head()).toBeNull();
    await audit.record({ type: 'a', actor: null, subject: 's', orgId: null });
    const second = await audit.record({ type: 'b', actor: null, subject: 's', orgId: null });
    expect((await audit.head())?.hash).toBe(second.hash);
  });
});
