// The forward migration that partitions the SQL graph by org (graph_0002_org): rows written before it
// stay readable under the documented pre-tenancy org `default`, nothing can be written without an org
// afterwards, and re-keying them to a real org is the one UPDATE the deployment guide gives.
import { allMigrations, createPgCaseStore, createPgGraphStore, migrate } from '@intelgraph/adapters/postgres';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedSql, sqlBackends } from '../../support/sql.js';

const before = allMigrations.slice(
  0,
  allMigrations.findIndex((m) => m.id === 'graph_0002_org'),
);

describe.each(sqlBackends())('graph_0002_org on $name', ({ open }) => {
  let opened: OpenedSql | undefined;
  // Starting the backend (PGlite's WASM compile) is paid here, not by the test.
  beforeAll(async () => {
    await (await open()).close();
  }, 120_000);
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('keeps existing rows under org "default", then re-keys them to a real org in one UPDATE', async () => {
    expect(before.length).toBeGreaterThan(0);
    opened = await open({ migrations: before });
    const { db } = opened;
    const at = '2026-04-01T00:00:00.000Z';
    // Rows as the store wrote them before org partitioning (namespace `default`, no org).
    await db.exec(`
      INSERT INTO ig_graph_entities (ns, id, type, name, aliases, properties, merged_from, created_at, updated_at)
      VALUES ('default', 'p1', 'Person', '"Ada Lovelace"', '[]', '{}', '[]', '${at}', '${at}'),
             ('default', 'p2', 'Person', '"Charles Babbage"', '[]', '{}', '[]', '${at}', '${at}');
      INSERT INTO ig_graph_words (ns, word, entity_id)
      VALUES ('default', 'ada', 'p1'), ('default', 'lovelace', 'p1'), ('default', 'charles', 'p2'),
             ('default', 'babbage', 'p2');
      INSERT INTO ig_graph_relationships (ns, from_id, type, to_id, properties, created_at, updated_at)
      VALUES ('default', 'p1', 'KNOWS', 'p2', '{}', '${at}', '${at}');
      INSERT INTO ig_cases (ns, id, org_id, title, description, status, created_by, created_at, updated_at, version)
      VALUES ('default', 'c1', 'acme', 'Engine', '""', 'open', 'alice', '${at}', '${at}', 1);
      INSERT INTO ig_case_entities (ns, case_id, entity_id) VALUES ('default', 'c1', 'p1');
    `);
    expect((await migrate(db)).applied).toContain('graph_0002_org');

    const graph = createPgGraphStore(db);
    const cases = createPgCaseStore(db);
    const legacy = graph.forOrg('default');
    expect(await legacy.getEntity('p1')).toMatchObject({ name: 'Ada Lovelace' });
    expect((await legacy.search({ q: 'lovel' })).items.map((h) => h.entity.id)).toEqual(['p1']);
    expect((await legacy.neighbors({ id: 'p2' })).items.map((n) => n.entity.id)).toEqual(['p1']);
    expect(await graph.forOrg('acme').getEntity('p1')).toBeNull();
    // A link from an acme case to a `default` entity is not shown until the entity is re-keyed.
    expect((await cases.get({ orgId: 'acme', id: 'c1' }))?.entityIds).toEqual([]);
    // No default org any more: a writer that forgets the org fails.
    await expect(
      db.query(
        `INSERT INTO ig_graph_entities (ns, id, type, name, aliases, properties, merged_from, created_at, updated_at)
         VALUES ('default', 'p9', 'Person', '"X"', '[]', '{}', '[]', now(), now())`,
      ),
    ).rejects.toMatchObject({ code: '23502' });

    // The re-key of the deployment guide: words, relationships and case links follow by cascade.
    await db.query("UPDATE ig_graph_entities SET org_id = $1 WHERE ns = 'default' AND org_id = 'default'", [
      'acme',
    ]);
    const acme = graph.forOrg('acme');
    expect((await acme.search({ q: 'ada' })).items.map((h) => h.entity.id)).toEqual(['p1']);
    expect((await acme.neighbors({ id: 'p1' })).items.map((n) => n.entity.id)).toEqual(['p2']);
    expect((await cases.get({ orgId: 'acme', id: 'c1' }))?.entityIds).toEqual(['p1']);
    expect(await legacy.getEntity('p1')).toBeNull();
    const { rows } = await db.query<{ n: number }>(
      "SELECT (SELECT count(*) FROM ig_graph_words WHERE org_id <> 'acme') + (SELECT count(*) FROM ig_graph_relationships WHERE org_id <> 'acme') AS n",
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
