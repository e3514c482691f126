// A PostgreSQL host: with `pg` installed, passing your own `pg.Pool` typechecks against the adapter.
import { createPgDatabase, migrate } from '@intelgraph/adapters/postgres';
import { createExtensionHost } from '@intelgraph/host';
import pg from 'pg';

export async function start(): Promise<void> {
  const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  const db = await createPgDatabase({ pool, ownsPool: true });
  await migrate(db);
  const host = await createExtensionHost({ database: db });
  await host.close();
}
