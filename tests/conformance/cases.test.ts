// One conformance suite for the CaseStore port: the in-memory store (linked to a memory graph), Neo4j
// (beside the graph, each run in its own namespace) and the SQL store on PGlite and PostgreSQL (beside
// the SQL graph, each run in a fresh schema) run the same test bodies.
import { createMemoryCaseStore, createMemoryGraphStore } from '@intelgraph/adapters/memory';
import { createNeo4jCaseStore, createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
import { createPgCaseStore, createPgGraphStore } from '@intelgraph/adapters/postgres';
import {
  type CaseStore,
  createManualClock,
  type ErrorCode,
  type GraphStore,
  isIntelGraphError,
  type ManualClock,
  sequentialIds,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';

interface Stores {
  graph: GraphStore;
  cases: CaseStore;
}

const backends = storeBackends<Stores, [ManualClock]>({
  memory(clock) {
    const graph = createMemoryGraphStore({ clock });
    return { graph, cases: createMemoryCaseStore({ graph, clock, ids: sequentialIds() }) };
  },
  neo4j: (connection, clock) => ({
    graph: createNeo4jGraphStore(connection, { clock }),
    cases: createNeo4jCaseStore(connection, { clock, ids: sequentialIds() }),
  }),
  sql: (db, clock) => ({
    graph: createPgGraphStore(db, { clock }),
    cases: createPgCaseStore(db, { clock, ids: sequentialIds() }),
  }),
});

const T0 = Date.UTC(2026, 3, 1);
const iso = (ms: number) => new Date(ms).toISOString();

async function failsWith(promise: Promise<unknown>, code: ErrorCode): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    if (!isIntelGraphError(err)) throw err;
    expect(err.code).toBe(code);
    return err.details;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

describe.each(backends)('case store on $name', (backend) => {
  // Starting a backend (PGlite's WASM compile, a Neo4j namespace) is paid once here, not by the first test.
  const open = openEachTest(backend, { warmUp: [createManualClock(T0)] });
  async function setup() {
    const clock = createManualClock(T0);
    const o = await open(clock);
    // Each org's graph holds its own p1..p3: cases link entities of their own org only.
    for (const org of ['acme', 'globex']) {
      await o.graph.forOrg(org).upsert({
        entities: ['p1', 'p2', 'p3'].map((id) => ({ id, type: 'Person', name: `Person ${id} of ${org}` })),
      });
    }
    return { ...o, store: o.graph, graph: o.graph.forOrg('acme'), clock };
  }

  it('creates a case and reads it back within its org only', async () => {
    const { cases } = await setup();
    const created = await cases.create({
      orgId: 'acme',
      title: 'Fraud ring',
      description: 'From alert 42',
      createdBy: 'alice',
      entityIds: ['p2', 'p1', 'p2'],
    });
    expect(created).toEqual({
      id: 'case_000001',
      orgId: 'acme',
      title: 'Fraud ring',
      description: 'From alert 42',
      status: 'open',
      entityIds: ['p1', 'p2'],
      notes: [],
      createdBy: 'alice',
      createdAt: iso(T0),
      updatedAt: iso(T0),
      version: 1,
    });
    expect(await cases.get({ orgId: 'acme', id: created.id })).toEqual(created);
    expect(await cases.get({ orgId: 'globex', id: created.id })).toBeNull();
    expect(await cases.get({ orgId: 'acme', id: 'case_999999' })).toBeNull();
  });

  it('refuses to link entities that do not exist, creating nothing', async () => {
    const { cases } = await setup();
    const details = await failsWith(
      cases.create({ orgId: 'acme', title: 'T', createdBy: 'alice', entityIds: ['p1', 'ghost'] }),
      'NOT_FOUND',
    );
    expect(details.ids).toEqual(['ghost']);
    expect((await cases.list({ orgId: 'acme' })).items).toEqual([]);
  });

  it('updates fields and links with a growing version and optimistic locking', async () => {
    const { cases, clock } = await setup();
    const c = await cases.create({ orgId: 'acme', title: 'T', createdBy: 'alice', entityIds: ['p1'] });
    clock.advance(1_000);
    const u = await cases.update({
      orgId: 'acme',
      id: c.id,
      expectedVersion: 1,
      title: 'Renamed',
      status: 'in_progress',
      linkEntityIds: ['p3', 'p2'],
      unlinkEntityIds: ['p1'],
    });
    expect(u).toMatchObject({
      title: 'Renamed',
      description: '',
      status: 'in_progress',
      entityIds: ['p2', 'p3'],
      version: 2,
      createdAt: iso(T0),
      updatedAt: iso(T0 + 1_000),
    });
    const details = await failsWith(
      cases.update({ orgId: 'acme', id: c.id, expectedVersion: 1, title: 'Stale' }),
      'CONFLICT',
    );
    expect(details).toMatchObject({ version: 2, expectedVersion: 1 });
    await failsWith(cases.update({ orgId: 'acme', id: c.id, linkEntityIds: ['ghost'] }), 'NOT_FOUND');
    await failsWith(cases.update({ orgId: 'globex', id: c.id, title: 'X' }), 'NOT_FOUND');
    expect(await cases.get({ orgId: 'acme', id: c.id })).toEqual(u);
  });

  it('appends notes in order and keeps a closed case read-only until reopened', async () => {
    const { cases, clock } = await setup();
    const c = await cases.create({ orgId: 'acme', title: 'T', createdBy: 'alice' });
    clock.advance(10);
    await cases.appendNote({ orgId: 'acme', id: c.id, author: 'alice', text: 'first' });
    clock.advance(10);
    const two = await cases.appendNote({
      orgId: 'acme',
      id: c.id,
      author: 'bob',
      text: 'second "quoted" {}',
    });
    expect(two.notes).toEqual([
      { id: 'note_000002', author: 'alice', text: 'first', at: iso(T0 + 10) },
      { id: 'note_000003', author: 'bob', text: 'second "quoted" {}', at: iso(T0 + 20) },
    ]);
    expect(two.version).toBe(3);

    await cases.update({ orgId: 'acme', id: c.id, status: 'closed' });
    await failsWith(
      cases.appendNote({ orgId: 'acme', id: c.id, author: 'bob', text: 'late' }),
      'INVALID_TRANSITION',
    );
    await failsWith(cases.update({ orgId: 'acme', id: c.id, title: 'Edit' }), 'INVALID_TRANSITION');
    await failsWith(cases.update({ orgId: 'acme', id: c.id, status: 'closed' }), 'INVALID_TRANSITION');
    const reopened = await cases.update({ orgId: 'acme', id: c.id, status: 'open', title: 'Back' });
    expect(reopened).toMatchObject({ status: 'open', title: 'Back', version: 5 });
    await failsWith(
      cases.appendNote({ orgId: 'acme', id: 'case_999999', author: 'a', text: 'x' }),
      'NOT_FOUND',
    );
  });

  it('keeps every one of 20 concurrent notes', async () => {
    const { cases } = await setup();
    const c = await cases.create({ orgId: 'acme', title: 'T', createdBy: 'alice' });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        cases.appendNote({ orgId: 'acme', id: c.id, author: 'a', text: `n${i}` }),
      ),
    );
    const after = await cases.get({ orgId: 'acme', id: c.id });
    expect(after?.notes.map((n) => n.text).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `n${i}`).sort(),
    );
    expect(after?.version).toBe(21);
  });

  it('lets exactly one of concurrent updates with the same expected version win', async () => {
    const { cases } = await setup();
    const c = await cases.create({ orgId: 'acme', title: 'T', createdBy: 'alice' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        cases.update({ orgId: 'acme', id: c.id, expectedVersion: 1, title: `T${i}` }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected') expect(isIntelGraphError(o.reason, 'CONFLICT')).toBe(true);
    expect((await cases.get({ orgId: 'acme', id: c.id }))?.version).toBe(2);
  });

  it('lists an org’s cases newest first, filtered and paged', async () => {
    const { cases, clock } = await setup();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      const c = await cases.create({
        orgId: 'acme',
        title: `Case ${i}`,
        createdBy: 'alice',
        entityIds: i % 2 === 0 ? ['p1'] : [],
      });
      made.push(c.id);
    }
    await cases.create({ orgId: 'globex', title: 'Other org', createdBy: 'eve', entityIds: ['p1'] });
    await cases.update({ orgId: 'acme', id: made[1] ?? '', status: 'closed' });
    await cases.appendNote({ orgId: 'acme', id: made[0] ?? '', author: 'a', text: 'note' });

    const all = await cases.list({ orgId: 'acme', limit: 3 });
    expect(all.items.map((c) => c.id)).toEqual([made[4], made[3], made[2]]);
    expect(all.rows).toBe(3);
    const rest = await cases.list({ orgId: 'acme', limit: 3, cursor: all.nextCursor ?? '' });
    expect(rest.items.map((c) => c.id)).toEqual([made[1], made[0]]);
    expect(rest.nextCursor).toBeNull();
    expect(rest.items[1]).toMatchObject({ noteCount: 1, entityIds: ['p1'] });
    expect(rest.items[1]).not.toHaveProperty('notes');

    expect((await cases.list({ orgId: 'acme', status: 'closed' })).items.map((c) => c.id)).toEqual([made[1]]);
    expect((await cases.list({ orgId: 'acme', entityId: 'p1' })).items.map((c) => c.id)).toEqual([
      made[4],
      made[2],
      made[0],
    ]);
    expect((await cases.list({ orgId: 'nobody' })).items).toEqual([]);
  });

  it('re-points case links when the graph merges entities', async () => {
    const { cases, graph, clock } = await setup();
    const a = await cases.create({ orgId: 'acme', title: 'A', createdBy: 'alice', entityIds: ['p1', 'p2'] });
    const b = await cases.create({ orgId: 'acme', title: 'B', createdBy: 'alice', entityIds: ['p2'] });
    const untouched = await cases.create({
      orgId: 'acme',
      title: 'C',
      createdBy: 'alice',
      entityIds: ['p3'],
    });
    clock.advance(5_000);
    await graph.merge({ survivorId: 'p1', mergedId: 'p2' });

    expect(await cases.get({ orgId: 'acme', id: a.id })).toMatchObject({
      entityIds: ['p1'],
      version: 2,
      updatedAt: iso(T0 + 5_000),
    });
    expect(await cases.get({ orgId: 'acme', id: b.id })).toMatchObject({ entityIds: ['p1'], version: 2 });
    expect(await cases.get({ orgId: 'acme', id: untouched.id })).toEqual(untouched);
    expect((await cases.list({ orgId: 'acme', entityId: 'p2' })).items).toEqual([]);
    expect((await cases.list({ orgId: 'acme', entityId: 'p1' })).items.map((c) => c.id).sort()).toEqual([
      a.id,
      b.id,
    ]);
  });

  it('links entities of the case’s own org only: another org’s entity is NOT_FOUND', async () => {
    const { cases, store } = await setup();
    await store.forOrg('initech').upsert({ entities: [{ id: 'i1', type: 'Person', name: 'Only Initech' }] });
    const created = await failsWith(
      cases.create({ orgId: 'acme', title: 'T', createdBy: 'alice', entityIds: ['p1', 'i1'] }),
      'NOT_FOUND',
    );
    expect(created).toEqual({ ids: ['i1'] });
    expect((await cases.list({ orgId: 'acme' })).items).toEqual([]);
    const c = await cases.create({ orgId: 'acme', title: 'T', createdBy: 'alice', entityIds: ['p1'] });
    await failsWith(cases.update({ orgId: 'acme', id: c.id, linkEntityIds: ['i1'] }), 'NOT_FOUND');
    expect((await cases.get({ orgId: 'acme', id: c.id }))?.entityIds).toEqual(['p1']);
    expect((await cases.list({ orgId: 'acme', entityId: 'i1' })).items).toEqual([]);
  });

  it('re-points only the merging org’s case links', async () => {
    const { cases, store } = await setup();
    const a = await cases.create({ orgId: 'acme', title: 'A', createdBy: 'alice', entityIds: ['p2'] });
    const g = await cases.create({ orgId: 'globex', title: 'G', createdBy: 'eve', entityIds: ['p2'] });
    await store.forOrg('acme').merge({ survivorId: 'p1', mergedId: 'p2' });
    expect(await cases.get({ orgId: 'acme', id: a.id })).toMatchObject({ entityIds: ['p1'], version: 2 });
    expect(await cases.get({ orgId: 'globex', id: g.id })).toEqual(g);
    expect((await cases.list({ orgId: 'globex', entityId: 'p2' })).items.map((c) => c.id)).toEqual([g.id]);
  });

  it('rejects malformed and hostile input with INVALID_INPUT', async () => {
    const { cases } = await setup();
    const bad: [keyof CaseStore, unknown][] = [
      ['create', { orgId: 'acme', title: '   ', createdBy: 'a' }],
      ['create', { orgId: 'acme', title: 'two\nlines', createdBy: 'a' }],
      ['create', { orgId: 'acme', title: 'T', createdBy: 'a', extra: 1 }],
      ['create', { orgId: '', title: 'T', createdBy: 'a' }],
      ['create', JSON.parse('{"orgId":"acme","title":"T","createdBy":"a","__proto__":{"x":1}}')],
      [
        'create',
        {
          orgId: 'acme',
          title: 'T',
          createdBy: 'a',
          entityIds: Array.from({ length: 501 }, (_, i) => `e${i}`),
        },
      ],
      ['update', { orgId: 'acme', id: 'c', status: 'archived' }],
      ['update', { orgId: 'acme', id: 'c', expectedVersion: 0 }],
      ['appendNote', { orgId: 'acme', id: 'c', author: 'a', text: '' }],
      ['appendNote', { orgId: 'acme', id: 'c', author: 'a', text: 'x'.repeat(10_001) }],
      ['list', { orgId: 'acme', limit: 0 }],
      ['list', { orgId: 'acme', cursor: '%%%' }],
      ['get', { orgId: 'acme' }],
    ];
    for (const [method, input] of bad) {
      await failsWith((cases[method] as (i: unknown) => Promise<unknown>)(input), 'INVALID_INPUT');
    }
    expect((await cases.list({ orgId: 'acme' })).items).toEqual([]);
  });
});
