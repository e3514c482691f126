import { createPgDatabase, type Migration, migrate } from '@intelgraph/adapters/postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_URL } from '../../support/env.js';
import { type OpenedSql, sqlBackends } from '../../support/sql.js';

const extra: Migration[] = [
  {
    id: 'zz_0001_widgets',
    sql: 'CREATE TABLE IF NOT EXISTS ig_zz_widgets (id int PRIMARY KEY, name text NOT NULL);',
  },
  {
    id: 'zz_0002_widgets_seed',
    sql: "INSERT INTO ig_zz_widgets VALUES (1, 'a'); INSERT INTO ig_zz_widgets VALUES (2, 'b');",
  },
];

describe.each(sqlBackends())('SQL database and migrations on $name', ({ name, open }) => {
  let opened: OpenedSql | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('applies pending migrations once, in order, and is idempotent', async () => {
    opened = await open();
    const { db } = opened;
    expect((await migrate(db, { migrations: extra })).applied).toEqual([
      'zz_0001_widgets',
      'zz_0002_widgets_seed',
    ]);
    expect((await migrate(db, { migrations: extra })).applied).toEqual([]);
    const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM ig_zz_widgets');
    expect(rows[0]?.n).toBe(2); // BIGINT comes back as a number on both backends
  });

  it('rolls a failed migration back whole, leaving nothing half-written', async () => {
    opened = await open();
    const { db } = opened;
    const bad: Migration[] = [
      { id: 'zz_0001_ok', sql: 'CREATE TABLE ig_zz_ok (id int);' },
      { id: 'zz_0002_bad', sql: 'CREATE TABLE ig_zz_bad (id int); SELECT no_such_function();' },
    ];
    await expect(migrate(db, { migrations: bad })).rejects.toThrow();
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('ig_zz_ok','ig_zz_bad') AND table_schema = $1",
      [db.schema],
    );
    expect(rows[0]?.n).toBe(0);
    const recorded = await db.query<{ id: string }>("SELECT id FROM ig_migrations WHERE id LIKE 'zz_%'");
    expect(recorded.rows).toEqual([]);
  });

  it('rejects invalid and duplicate migration ids', async () => {
    opened = await open();
    await expect(migrate(opened.db, { migrations: [{ id: 'Bad Id', sql: '' }] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(migrate(opened.db, { migrations: [extra[0]!, extra[0]!] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('commits and rolls back transactions', async () => {
    opened = await open();
    const { db } = opened;
    await db.exec('CREATE TABLE ig_zz_tx (id int PRIMARY KEY)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO ig_zz_tx VALUES ($1)', [1]);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO ig_zz_tx VALUES ($1)', [2]);
        await tx.query('INSERT INTO ig_zz_tx VALUES ($1)', [1]); // duplicate key: the whole tx rolls back
      }),
    ).rejects.toThrow();
    const { rows } = await db.query<{ id: number }>('SELECT id FROM ig_zz_tx ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1]);
    expect(name === 'postgres' ? db.kind === 'postgres' : db.kind === 'pglite').toBe(true);
  });
});

describe('PostgreSQL specifics', () => {
  it('serialises concurrent migrate() calls from several hosts with the advisory lock', async () => {
    const [backend] = sqlBackends().filter((b) => b.name === 'postgres');
    const opened = await backend!.open();
    try {
      const hosts = await Promise.all(
        Array.from({ length: 4 }, () =>
          createPgDatabase({ connectionString: PG_URL, schema: opened.db.schema, max: 2 }),
        ),
      );
      const results = await Promise.all(hosts.map((h) => migrate(h, { migrations: extra })));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(['zz_0001_widgets', 'zz_0002_widgets_seed']);
      await Promise.all(hosts.map((h) => h.close()));
    } finally {
      await opened.close();
    }
  });

  it('reports an unreachable server as UNAVAILABLE', async () => {
    const db = await createPgDatabase({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMs: 1_000,
    });
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await db.close();
  });

  it('rejects an invalid schema name', async () => {
    await expect(createPgDatabase({ connectionString: PG_URL, schema: 'x"; DROP' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
