// A property of the graph's org partitioning, on the memory store and the SQL store on PGlite: any
// interleaving of upserts, relationship upserts and merges by two orgs leaves each org's view equal to
// a single-tenant store that saw only that org's operations, outcome by outcome.
import { createMemoryGraphStore } from '@intelgraph/adapters/memory';
import {
  createPGliteDatabase,
  createPgGraphStore,
  migrate,
  type SqlDatabase,
} from '@intelgraph/adapters/postgres';
import {
  createManualClock,
  type GraphStore,
  isIntelGraphError,
  type ManualClock,
  type OrgGraph,
} from '@intelgraph/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ORGS = ['acme', 'globex'] as const;
const IDS = ['p1', 'p2', 'p3', 'p4'];
const T0 = Date.UTC(2026, 3, 1);

type Op =
  | { org: (typeof ORGS)[number]; kind: 'entity'; id: string; n: number }
  | { org: (typeof ORGS)[number]; kind: 'relationship'; from: string; to: string; type: string; n: number }
  | { org: (typeof ORGS)[number]; kind: 'merge'; survivorId: string; mergedId: string };

const org = fc.constantFrom(...ORGS);
const id = fc.constantFrom(...IDS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ org, kind: fc.constant('entity' as const), id, n: fc.nat(9) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      org,
      kind: fc.constant('relationship' as const),
      from: id,
      to: id,
      type: fc.constantFrom('KNOWS', 'OWNS'),
      n: fc.nat(9),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ org, kind: fc.constant('merge' as const), survivorId: id, mergedId: id }),
  },
);

/** What an operation did, comparable across stores: its result, or its error code and details. */
async function apply(graph: OrgGraph, o: Op): Promise<unknown> {
  try {
    if (o.kind === 'entity') {
      return await graph.upsert({
        entities: [{ id: o.id, type: 'Person', name: `Name ${o.id} v${o.n}`, properties: { n: o.n } }],
      });
    }
    if (o.kind === 'relationship') {
      return await graph.upsert({
        relationships: [{ type: o.type, from: o.from, to: o.to, properties: { n: o.n } }],
      });
    }
    return await graph.merge({ survivorId: o.survivorId, mergedId: o.mergedId });
  } catch (err) {
    if (!isIntelGraphError(err)) throw err;
    return { code: err.code, details: err.details };
  }
}

/** Everything an org can observe of its graph through the port. */
async function snapshot(graph: OrgGraph) {
  const entities: unknown[] = [];
  const neighbors: unknown[] = [];
  for (const entityId of IDS) {
    const entity = await graph.getEntity(entityId);
    entities.push(entity);
    if (entity) neighbors.push((await graph.neighbors({ id: entityId, limit: 100 })).items);
  }
  const search = (await graph.search({ q: 'name', limit: 100 })).items.map((h) => h.entity.id);
  return { entities, neighbors, search };
}

async function checkInterleaving(ops: Op[], tenant: GraphStore, clock: ManualClock): Promise<void> {
  // The reference: one single-tenant store per org, fed only that org's operations.
  const reference = Object.fromEntries(
    ORGS.map((o) => [o, createMemoryGraphStore({ clock }).forOrg(o)]),
  ) as Record<(typeof ORGS)[number], OrgGraph>;
  for (const o of ops) {
    clock.advance(1_000);
    const got = await apply(tenant.forOrg(o.org), o);
    const want = await apply(reference[o.org], o);
    expect(got).toEqual(want);
  }
  for (const o of ORGS) expect(await snapshot(tenant.forOrg(o))).toEqual(await snapshot(reference[o]));
}

describe('graph org partitioning: any interleaving of two orgs equals two single-tenant stores', () => {
  it('on the memory store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const clock = createManualClock(T0);
        await checkInterleaving(ops, createMemoryGraphStore({ clock }), clock);
      }),
      { numRuns: 150 },
    );
  });

  describe('on the SQL store (PGlite)', () => {
    let db: SqlDatabase;
    beforeAll(async () => {
      db = await createPGliteDatabase();
      await migrate(db);
    });
    afterAll(async () => {
      await db?.close();
    });

    it('holds, each run in a fresh namespace', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
          const clock = createManualClock(T0);
          run += 1;
          await checkInterleaving(ops, createPgGraphStore(db, { namespace: `prop_${run}`, clock }), clock);
        }),
        { numRuns: 30 },
      );
    });
  });
});
