// One conformance suite for the GraphStore port: the in-memory store, Neo4j (each run in its own
// namespace) and the SQL store on PGlite and PostgreSQL (each run in a fresh schema) run the same test
// bodies, including concurrent upserts and merges.
import { createMemoryGraphStore } from '@intelgraph/adapters/memory';
import { createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
import { createPgGraphStore } from '@intelgraph/adapters/postgres';
import {
  createManualClock,
  type ErrorCode,
  type GraphEntityInput,
  type GraphStore,
  isIntelGraphError,
  type ManualClock,
  type OrgGraph,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';
import { openTestNeo4j } from '../support/neo4j.js';
import { sqlBackends } from '../support/sql.js';

const backends = storeBackends<GraphStore, [ManualClock]>({
  memory: (clock) => createMemoryGraphStore({ clock }),
  neo4j: (connection, clock) => createNeo4jGraphStore(connection, { clock }),
  sql: (db, clock) => createPgGraphStore(db, { clock }),
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

const person = (id: string, name: string, extra: Partial<GraphEntityInput> = {}): GraphEntityInput => ({
  id,
  type: 'Person',
  name,
  ...extra,
});

describe.each(backends)('graph store on $name', (backend) => {
  // Starting a backend (PGlite's WASM compile, a Neo4j namespace) is paid once here, not by the first test.
  const open = openEachTest(backend, { warmUp: [createManualClock(T0)] });
  async function setup() {
    const clock = createManualClock(T0);
    const store = await open(clock);
    return { graph: store.forOrg('acme'), store, clock };
  }

  it('upserts entities and relationships, counting what was created and updated', async () => {
    const { graph, clock } = await setup();
    const first = await graph.upsert({
      entities: [
        person('p1', 'Alice Smith', { aliases: ['Ally'], properties: { dob: '1990-01-01', tags: ['vip'] } }),
        { id: 'o1', type: 'Organization', name: 'Acme Holdings' },
      ],
      relationships: [{ type: 'WORKS_AT', from: 'p1', to: 'o1', properties: { since: 2020 } }],
    });
    expect(first).toEqual({
      entities: { created: 2, updated: 0 },
      relationships: { created: 1, updated: 0 },
      rows: 3,
    });
    expect(await graph.getEntity('p1')).toEqual({
      id: 'p1',
      type: 'Person',
      name: 'Alice Smith',
      aliases: ['Ally'],
      properties: { dob: '1990-01-01', tags: ['vip'] },
      mergedFrom: [],
      createdAt: iso(T0),
      updatedAt: iso(T0),
    });

    clock.advance(60_000);
    const second = await graph.upsert({
      entities: [person('p1', 'Alice B. Smith'), person('p2', 'Bob')],
      relationships: [{ type: 'WORKS_AT', from: 'p1', to: 'o1', properties: { since: 2021 } }],
    });
    expect(second).toEqual({
      entities: { created: 1, updated: 1 },
      relationships: { created: 0, updated: 1 },
      rows: 3,
    });
    const p1 = await graph.getEntity('p1');
    expect(p1).toMatchObject({ name: 'Alice B. Smith', aliases: [], properties: {}, createdAt: iso(T0) });
    expect(p1?.updatedAt).toBe(iso(T0 + 60_000));
    const rel = (await graph.neighbors({ id: 'p1' })).items[0]?.relationship;
    expect(rel).toEqual({
      type: 'WORKS_AT',
      from: 'p1',
      to: 'o1',
      properties: { since: 2021 },
      createdAt: iso(T0),
      updatedAt: iso(T0 + 60_000),
    });
    expect(await graph.getEntity('nobody')).toBeNull();
  });

  it('applies a batch all or nothing: a missing relationship end writes none of it', async () => {
    const { graph } = await setup();
    await graph.upsert({ entities: [person('p1', 'Alice')] });
    const details = await failsWith(
      graph.upsert({
        entities: [person('p2', 'Bob'), person('p1', 'Renamed')],
        relationships: [
          { type: 'KNOWS', from: 'p2', to: 'p1' },
          { type: 'KNOWS', from: 'p2', to: 'ghost' },
        ],
      }),
      'NOT_FOUND',
    );
    expect(details.ids).toEqual(['ghost']);
    expect(await graph.getEntity('p2')).toBeNull();
    expect((await graph.getEntity('p1'))?.name).toBe('Alice');
    expect((await graph.neighbors({ id: 'p1' })).items).toEqual([]);
  });

  it('rejects malformed and hostile input with INVALID_INPUT and writes nothing', async () => {
    const { graph } = await setup();
    const bad: unknown[] = [
      { entities: [{ id: 'x', type: 'not pascal', name: 'X' }] },
      { entities: [{ id: '', type: 'Person', name: 'X' }] },
      { entities: [{ id: 'a\nb', type: 'Person', name: 'X' }] },
      { entities: [{ id: 'x', type: 'Person', name: 'x'.repeat(501) }] },
      { entities: [person('x', 'X'), person('x', 'Y')] },
      { entities: [{ ...person('x', 'X'), extra: true }] },
      { entities: [person('x', 'X')], relationships: [{ type: 'KNOWS', from: 'x', to: 'x' }] },
      { entities: [person('x', 'X')], relationships: [{ type: 'knows', from: 'x', to: 'y' }] },
      JSON.parse(
        '{"entities":[{"id":"x","type":"Person","name":"X","properties":{"__proto__":{"polluted":1}}}]}',
      ),
      { entities: [person('x', 'X', { properties: { blob: 'b'.repeat(70_000) } })] },
      { entities: Array.from({ length: 5_001 }, (_, i) => person(`e${i}`, 'E')) },
      null,
    ];
    for (const input of bad) {
      await failsWith(graph.upsert(input as never), 'INVALID_INPUT');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await graph.getEntity('x')).toBeNull();
    await failsWith(graph.getEntity(42 as never), 'INVALID_INPUT');
  });

  it('treats ids with quotes, braces and Cypher fragments as data', async () => {
    const { graph } = await setup();
    const hostile = 'x\'}) DETACH DELETE n //{"}';
    await graph.upsert({
      entities: [person(hostile, 'Mallory $ns `label`'), person('p1', 'Alice')],
      relationships: [{ type: 'KNOWS', from: hostile, to: 'p1' }],
    });
    expect((await graph.getEntity(hostile))?.name).toBe('Mallory $ns `label`');
    expect((await graph.getEntity('p1'))?.name).toBe('Alice');
    const hits = await graph.search({ q: 'mallory" *:* label)' });
    expect(hits.items.map((h) => h.entity.id)).toEqual([hostile]);
  });

  it('searches names and aliases by word prefix, case-insensitively, requiring every term', async () => {
    const { graph } = await setup();
    await graph.upsert({
      entities: [
        person('p1', 'Alice Smith', { aliases: ['The Falcon'] }),
        person('p2', 'Alicia Smithers'),
        person('p3', 'Bob Smith'),
        { id: 'o1', type: 'Organization', name: 'Smith & Sons' },
        { id: 'o2', type: 'Organization', name: 'Blacksmith Ltd' },
      ],
    });
    const ids = async (q: string, types?: string[]) =>
      (await graph.search({ q, limit: 100, ...(types ? { types } : {}) })).items
        .map((h) => h.entity.id)
        .sort();

    expect(await ids('ali')).toEqual(['p1', 'p2']);
    expect(await ids('ALICE')).toEqual(['p1']);
    expect(await ids('smith')).toEqual(['o1', 'p1', 'p2', 'p3']); // words start with it; Blacksmith does not
    expect(await ids('smith ali')).toEqual(['p1', 'p2']);
    expect(await ids('falc')).toEqual(['p1']);
    expect(await ids('smith', ['Organization'])).toEqual(['o1']);
    expect(await ids('smith', ['Organization', 'Person'])).toEqual(['o1', 'p1', 'p2', 'p3']);
    expect(await ids('zebra')).toEqual([]);
    expect(await ids('alice zebra')).toEqual([]);
  });

  it('ranks an exact word above a prefix match and reports rows', async () => {
    const { graph } = await setup();
    await graph.upsert({
      entities: [person('a', 'Acmeville Trading'), person('b', 'Acme'), person('c', 'Acmes')],
    });
    const page = await graph.search({ q: 'acme', limit: 10 });
    expect(page.items[0]?.entity.id).toBe('b');
    expect(page.items.map((h) => h.entity.id).sort()).toEqual(['a', 'b', 'c']);
    expect(page.rows).toBe(3);
    expect(page.nextCursor).toBeNull();
    const scores = page.items.map((h) => h.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
  });

  it('pages through results with cursors: disjoint, complete and stable', async () => {
    const { graph } = await setup();
    const n = 25;
    await graph.upsert({
      entities: Array.from({ length: n }, (_, i) => ({
        id: `w${String(i).padStart(3, '0')}`,
        type: 'Asset',
        name: `Widget ${String(i).padStart(3, '0')}`,
      })),
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await graph.search({ q: 'widget', limit: 10, ...(cursor ? { cursor } : {}) });
      sizes.push(page.rows);
      expect(page.rows).toBe(page.items.length);
      seen.push(...page.items.map((h) => h.entity.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => `w${String(i).padStart(3, '0')}`));
    await failsWith(graph.search({ q: 'widget', cursor: 'not-a-cursor' }), 'INVALID_INPUT');
    await failsWith(graph.search({ q: '!!! ???' }), 'INVALID_INPUT');
    await failsWith(graph.search({ q: 'widget', limit: 101 }), 'INVALID_INPUT');
    await failsWith(graph.search({ q: 'w'.repeat(201) }), 'INVALID_INPUT');
  });

  it('lists neighbours by direction and relationship type, ordered and paged', async () => {
    const { graph } = await setup();
    await graph.upsert({
      entities: ['a', 'b', 'c', 'd'].map((id) => person(id, id.toUpperCase())),
      relationships: [
        { type: 'KNOWS', from: 'a', to: 'b' },
        { type: 'PAID', from: 'a', to: 'b', properties: { amount: 10 } },
        { type: 'KNOWS', from: 'c', to: 'a' },
        { type: 'KNOWS', from: 'a', to: 'd' },
        { type: 'KNOWS', from: 'b', to: 'c' },
      ],
    });
    const view = async (q: Parameters<OrgGraph['neighbors']>[0]) =>
      (await graph.neighbors(q)).items.map(
        (n) => `${n.relationship.from}-${n.relationship.type}->${n.relationship.to}:${n.entity.id}`,
      );

    expect(await view({ id: 'a' })).toEqual(['a-KNOWS->b:b', 'a-PAID->b:b', 'c-KNOWS->a:c', 'a-KNOWS->d:d']);
    expect(await view({ id: 'a', direction: 'out' })).toEqual([
      'a-KNOWS->b:b',
      'a-PAID->b:b',
      'a-KNOWS->d:d',
    ]);
    expect(await view({ id: 'a', direction: 'in' })).toEqual(['c-KNOWS->a:c']);
    expect(await view({ id: 'a', relationshipTypes: ['PAID'] })).toEqual(['a-PAID->b:b']);

    const first = await graph.neighbors({ id: 'a', limit: 3 });
    expect(first.rows).toBe(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await graph.neighbors({ id: 'a', limit: 3, cursor: first.nextCursor ?? '' });
    expect(second.items.map((n) => n.entity.id)).toEqual(['d']);
    expect(second.nextCursor).toBeNull();
    expect(first.items[1]?.relationship.properties).toEqual({ amount: 10 });

    await failsWith(graph.neighbors({ id: 'ghost' }), 'NOT_FOUND');
    await failsWith(graph.neighbors({ id: 'a', direction: 'sideways' as never }), 'INVALID_INPUT');
  });

  it('merges two entities: edges move, duplicates collapse, names become aliases', async () => {
    const { graph, clock } = await setup();
    await graph.upsert({
      entities: [
        person('s', 'Alice Smith', { aliases: ['Ally'], properties: { dob: '1990-01-01', city: 'Oslo' } }),
        person('m', 'A. Smith', {
          aliases: ['Ally', 'Alice Smith', 'Smithy'],
          properties: { city: 'Bergen', phone: '+47' },
        }),
        person('x', 'Xavier'),
        person('y', 'Yusuf'),
        { id: 'o', type: 'Organization', name: 'Acme' },
      ],
      relationships: [
        { type: 'WORKS_AT', from: 's', to: 'o', properties: { keep: 'survivor' } },
        { type: 'WORKS_AT', from: 'm', to: 'o', properties: { keep: 'merged' } }, // collapses
        { type: 'KNOWS', from: 'm', to: 'x' }, // moves (out)
        { type: 'PAID', from: 'y', to: 'm' }, // moves (in)
        { type: 'SAME_AS', from: 's', to: 'm' }, // dropped: would become a self-loop
      ],
    });
    clock.advance(1_000);
    const result = await graph.merge({ survivorId: 's', mergedId: 'm' });
    expect(result.relationshipsMoved).toBe(2);
    expect(result.relationshipsDropped).toBe(2);
    expect(result.rows).toBe(6);
    expect(result.entity).toEqual({
      id: 's',
      type: 'Person',
      name: 'Alice Smith',
      aliases: ['Ally', 'A. Smith', 'Smithy'],
      properties: { dob: '1990-01-01', city: 'Oslo', phone: '+47' },
      mergedFrom: ['m'],
      createdAt: iso(T0),
      updatedAt: iso(T0 + 1_000),
    });
    expect(await graph.getEntity('s')).toEqual(result.entity);
    expect(await graph.getEntity('m')).toBeNull();

    const edges = (await graph.neighbors({ id: 's' })).items.map(
      (n) => `${n.relationship.from}-${n.relationship.type}->${n.relationship.to}`,
    );
    expect(edges).toEqual(['s-WORKS_AT->o', 's-KNOWS->x', 'y-PAID->s']);
    const worksAt = (await graph.neighbors({ id: 'o' })).items;
    expect(worksAt.map((n) => n.relationship.properties)).toEqual([{ keep: 'survivor' }]);
    expect((await graph.search({ q: 'smithy' })).items.map((h) => h.entity.id)).toEqual(['s']);

    await failsWith(graph.merge({ survivorId: 's', mergedId: 'm' }), 'NOT_FOUND');
    await failsWith(graph.merge({ survivorId: 's', mergedId: 's' }), 'INVALID_INPUT');
    await failsWith(graph.merge({ survivorId: 'ghost', mergedId: 'x' }), 'NOT_FOUND');
    expect(await graph.getEntity('x')).not.toBeNull();
  });

  it('keeps one entity under 20 concurrent upserts of the same id', async () => {
    const { graph } = await setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => graph.upsert({ entities: [person('same', `Name ${i}`)] })),
    );
    expect(results.reduce((sum, r) => sum + r.entities.created, 0)).toBe(1);
    expect(results.reduce((sum, r) => sum + r.entities.updated, 0)).toBe(19);
    expect((await graph.search({ q: 'name', limit: 100 })).items).toHaveLength(1);
  });

  it('serialises concurrent merges into one survivor without losing edges', async () => {
    const { graph } = await setup();
    const ids = Array.from({ length: 8 }, (_, i) => `dup${i}`);
    await graph.upsert({
      entities: [person('hub', 'Hub'), ...ids.map((id) => person(id, `Dup ${id}`)), person('t', 'Target')],
      relationships: ids.map((id) => ({ type: 'LINKED', from: id, to: 't', properties: { via: id } })),
    });
    const results = await Promise.all(ids.map((mergedId) => graph.merge({ survivorId: 'hub', mergedId })));
    expect(results.reduce((sum, r) => sum + r.relationshipsMoved, 0)).toBe(1);
    expect(results.reduce((sum, r) => sum + r.relationshipsDropped, 0)).toBe(7);
    const hub = await graph.getEntity('hub');
    expect([...(hub?.mergedFrom ?? [])].sort()).toEqual(ids);
    expect((await graph.neighbors({ id: 't' })).items.map((n) => n.entity.id)).toEqual(['hub']);
    for (const id of ids) expect(await graph.getEntity(id)).toBeNull();
  });

  // Org isolation: the graph is partitioned by org on every backend (a plugin of one org must never
  // read, overwrite, link to or merge another org's entities).
  describe('org isolation', () => {
    it('keeps the same id in two orgs as two independent entities', async () => {
      const { store, clock } = await setup();
      const acme = store.forOrg('acme');
      const globex = store.forOrg('globex');
      expect(acme.orgId).toBe('acme');
      const a = await acme.upsert({
        entities: [person('person:alice', 'Alice Acme', { properties: { v: 1 } })],
      });
      const g = await globex.upsert({ entities: [person('person:alice', 'Alice Globex')] });
      expect(a.entities).toEqual({ created: 1, updated: 0 });
      expect(g.entities).toEqual({ created: 1, updated: 0 }); // not an overwrite of acme's
      clock.advance(1_000);
      await globex.upsert({ entities: [person('person:alice', 'Alice Globex 2', { aliases: ['AG'] })] });
      expect(await acme.getEntity('person:alice')).toMatchObject({
        name: 'Alice Acme',
        aliases: [],
        properties: { v: 1 },
        updatedAt: iso(T0),
      });
      expect(await globex.getEntity('person:alice')).toMatchObject({
        name: 'Alice Globex 2',
        aliases: ['AG'],
      });
    });

    it('never returns another org’s rows from search or neighbors', async () => {
      const { store } = await setup();
      const acme = store.forOrg('acme');
      const globex = store.forOrg('globex');
      await acme.upsert({
        entities: [person('a1', 'Shared Secret'), person('hub', 'Acme Hub'), person('a2', 'Shared Other')],
        relationships: [
          { type: 'KNOWS', from: 'hub', to: 'a1' },
          { type: 'KNOWS', from: 'a2', to: 'hub' },
        ],
      });
      await globex.upsert({
        entities: [person('hub', 'Globex Hub'), person('g1', 'Globex Only')],
        relationships: [{ type: 'OWNS', from: 'hub', to: 'g1' }],
      });
      expect((await globex.search({ q: 'shared' })).items).toEqual([]);
      expect((await globex.search({ q: 'hub', limit: 100 })).items.map((h) => h.entity.name)).toEqual([
        'Globex Hub',
      ]);
      expect((await acme.search({ q: 'shared', limit: 100 })).items.map((h) => h.entity.id)).toEqual([
        'a1',
        'a2',
      ]);
      const gn = await globex.neighbors({ id: 'hub' });
      expect(gn.items.map((n) => `${n.relationship.from}-${n.relationship.type}->${n.entity.id}`)).toEqual([
        'hub-OWNS->g1',
      ]);
      expect(gn.rows).toBe(1);
      const an = await acme.neighbors({ id: 'hub' });
      expect(an.items.map((n) => n.entity.id)).toEqual(['a1', 'a2']);
      // An id only the other org holds is absent, exactly as an id nobody holds.
      expect(await globex.getEntity('a1')).toBeNull();
      const other = await failsWith(globex.neighbors({ id: 'a1' }), 'NOT_FOUND');
      const ghost = await failsWith(globex.neighbors({ id: 'zz' }), 'NOT_FOUND');
      expect(Object.keys(other)).toEqual(Object.keys(ghost));
    });

    it('refuses a relationship to another org’s entity with NOT_FOUND and writes nothing', async () => {
      const { store } = await setup();
      const acme = store.forOrg('acme');
      const globex = store.forOrg('globex');
      await acme.upsert({ entities: [person('a1', 'Acme One')] });
      const details = await failsWith(
        globex.upsert({
          entities: [person('g1', 'Globex One')],
          relationships: [{ type: 'KNOWS', from: 'g1', to: 'a1' }],
        }),
        'NOT_FOUND',
      );
      expect(details).toEqual({ ids: ['a1'] });
      expect(await globex.getEntity('g1')).toBeNull(); // the batch is all or nothing
      await globex.upsert({ entities: [person('g2', 'Globex Two')] });
      await failsWith(
        globex.upsert({ relationships: [{ type: 'KNOWS', from: 'a1', to: 'g2' }] }),
        'NOT_FOUND',
      );
      expect((await acme.neighbors({ id: 'a1' })).items).toEqual([]);
      expect((await globex.neighbors({ id: 'g2' })).items).toEqual([]);
    });

    it('answers a merge across orgs NOT_FOUND, as for an id nobody holds, and changes nothing', async () => {
      const { store } = await setup();
      const acme = store.forOrg('acme');
      const globex = store.forOrg('globex');
      await acme.upsert({ entities: [person('a1', 'Acme One'), person('a2', 'Acme Two')] });
      await globex.upsert({ entities: [person('g1', 'Globex One')] });
      const cross = await failsWith(globex.merge({ survivorId: 'g1', mergedId: 'a1' }), 'NOT_FOUND');
      const ghost = await failsWith(globex.merge({ survivorId: 'g1', mergedId: 'nobody' }), 'NOT_FOUND');
      expect(cross).toEqual({ id: 'a1' });
      expect(ghost).toEqual({ id: 'nobody' });
      await failsWith(globex.merge({ survivorId: 'a1', mergedId: 'a2' }), 'NOT_FOUND');
      expect(await acme.getEntity('a1')).toMatchObject({ name: 'Acme One', mergedFrom: [] });
      expect(await acme.getEntity('a2')).not.toBeNull();
      expect(await globex.getEntity('g1')).toMatchObject({ aliases: [], mergedFrom: [] });
    });

    it('merges within one org and leaves the same ids of another org untouched', async () => {
      const { store } = await setup();
      for (const org of ['acme', 'globex']) {
        await store.forOrg(org).upsert({
          entities: [person('s', `S ${org}`), person('m', `M ${org}`), person('x', `X ${org}`)],
          relationships: [{ type: 'KNOWS', from: 'm', to: 'x' }],
        });
      }
      const merged = await store.forOrg('acme').merge({ survivorId: 's', mergedId: 'm' });
      expect(merged.relationshipsMoved).toBe(1);
      const globex = store.forOrg('globex');
      expect(await globex.getEntity('m')).toMatchObject({ name: 'M globex' });
      expect(await globex.getEntity('s')).toMatchObject({ aliases: [], mergedFrom: [] });
      expect((await globex.neighbors({ id: 'x' })).items.map((n) => n.relationship.from)).toEqual(['m']);
      expect(
        (await store.forOrg('acme').neighbors({ id: 'x' })).items.map((n) => n.relationship.from),
      ).toEqual(['s']);
    });

    it('rejects a malformed org id with INVALID_INPUT before any I/O', async () => {
      const { store } = await setup();
      for (const bad of ['', 'acme corp', 'acme\n', 'x'.repeat(201), 'a/b', '"acme"', 42, null, undefined]) {
        let code: string | undefined;
        try {
          store.forOrg(bad as string);
        } catch (err) {
          code = isIntelGraphError(err) ? err.code : 'not an IntelGraphError';
        }
        expect(code, String(bad)).toBe('INVALID_INPUT');
      }
      expect(store.forOrg('acme-labs.eu:prod+1@x_y').orgId).toBe('acme-labs.eu:prod+1@x_y');
    });
  });
});

describe('graph store isolation on neo4j', () => {
  it('moves nodes and edges written before org partitioning to org "default" when the schema is ensured', async () => {
    const neo = await openTestNeo4j();
    try {
      const at = iso(T0);
      await neo.connection.write((tx) =>
        tx.run(
          `CREATE (a:IgEntity {ns: $ns, id: 'p1', type: 'Person', name: 'Ada Lovelace', aliases: [], props: '{}',
                   mergedFrom: [], searchText: 'ada lovelace', createdAt: $at, updatedAt: $at})
           CREATE (b:IgEntity {ns: $ns, id: 'p2', type: 'Person', name: 'Charles Babbage', aliases: [], props: '{}',
                   mergedFrom: [], searchText: 'charles babbage', createdAt: $at, updatedAt: $at})
           CREATE (a)-[:IG_REL {ns: $ns, key: 'p1' + $sep + 'KNOWS' + $sep + 'p2', type: 'KNOWS', props: '{}',
                   createdAt: $at, updatedAt: $at}]->(b)`,
          { ns: neo.namespace, at, sep: '\u0000' },
        ),
      );
      // The backfill runs once per database; forget that it ran so this test's nodes are moved.
      await neo.connection.write((tx) => tx.run("MATCH (m:IgMigration {id: 'graph_org'}) DELETE m"));
      await neo.connection.ensureSchema();
      const store = createNeo4jGraphStore(neo.connection);
      const legacy = store.forOrg('default');
      expect(await legacy.getEntity('p1')).toMatchObject({ name: 'Ada Lovelace' });
      expect((await legacy.search({ q: 'lovel' })).items.map((h) => h.entity.id)).toEqual(['p1']);
      expect((await legacy.neighbors({ id: 'p2' })).items.map((n) => n.entity.id)).toEqual(['p1']);
      expect(await store.forOrg('acme').getEntity('p1')).toBeNull();
      await legacy.upsert({ relationships: [{ type: 'KNOWS', from: 'p1', to: 'p2', properties: { v: 2 } }] });
      expect((await legacy.neighbors({ id: 'p2' })).items).toHaveLength(1); // the same edge, not a second
    } finally {
      await neo.close();
    }
  });

  it('never shows one namespace the data of another', async () => {
    const [a, b] = await Promise.all([openTestNeo4j(), openTestNeo4j()]);
    try {
      const ga = createNeo4jGraphStore(a.connection).forOrg('acme');
      const gb = createNeo4jGraphStore(b.connection).forOrg('acme');
      await ga.upsert({ entities: [person('p1', 'Shared Name')] });
      await gb.upsert({ entities: [person('p1', 'Other Shared Name')] });
      expect((await ga.getEntity('p1'))?.name).toBe('Shared Name');
      expect((await gb.search({ q: 'shared' })).items.map((h) => h.entity.name)).toEqual([
        'Other Shared Name',
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.each(sqlBackends())('graph store isolation on sql ($name)', ({ open }) => {
  it('never shows one namespace the data of another, and rejects a bad namespace', async () => {
    const opened = await open();
    try {
      const ga = createPgGraphStore(opened.db, { namespace: 'tenant_a' }).forOrg('acme');
      const gb = createPgGraphStore(opened.db, { namespace: 'tenant_b' }).forOrg('acme');
      await ga.upsert({ entities: [person('p1', 'Shared Name'), person('p2', 'Second')] });
      await gb.upsert({ entities: [person('p1', 'Other Shared Name')] });
      expect((await ga.getEntity('p1'))?.name).toBe('Shared Name');
      expect(await gb.getEntity('p2')).toBeNull();
      expect((await gb.search({ q: 'shared' })).items.map((h) => h.entity.name)).toEqual([
        'Other Shared Name',
      ]);
      await failsWith(gb.merge({ survivorId: 'p1', mergedId: 'p2' }), 'NOT_FOUND');
      await failsWith(gb.upsert({ relationships: [{ type: 'KNOWS', from: 'p1', to: 'p2' }] }), 'NOT_FOUND');
      expect(() => createPgGraphStore(opened.db, { namespace: 'x"; DROP TABLE y' })).toThrow(
        /invalid graph namespace/,
      );
    } finally {
      await opened.close();
    }
  });

  it('keeps names, aliases and properties exactly, NUL characters and key order included', async () => {
    const opened = await open();
    try {
      const graph = createPgGraphStore(opened.db).forOrg('acme');
      const properties = { z: 1, a: 'x\u0000y', nested: { b: [1.5, null, true] } };
      await graph.upsert({
        entities: [person('p1', 'Null\u0000Byte', { aliases: ['Ä ß \u{1F600}'], properties })],
      });
      const p1 = await graph.getEntity('p1');
      expect(p1?.name).toBe('Null\u0000Byte');
      expect(p1?.aliases).toEqual(['Ä ß \u{1F600}']);
      expect(JSON.stringify(p1?.properties)).toBe(JSON.stringify(properties));
      expect((await graph.search({ q: 'byte ä' })).items.map((h) => h.entity.id)).toEqual(['p1']);
    } finally {
      await opened.close();
    }
  });
});
