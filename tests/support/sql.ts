import {
  createPGliteDatabase,
  createPgDatabase,
  type Migration,
  migrate,
  type SqlDatabase,
} from '@intelgraph/adapters/postgres';
import pg from 'pg';
import { PG_URL, runSuffix, serviceMissing } from './env.js';

/** A freshly migrated, isolated database and the function that disposes of it. */
export interface OpenedSql {
  db: SqlDatabase;
  /** The PostgreSQL schema this database lives in (absent on PGlite), for a second connection to it. */
  schema?: string;
  close(): Promise<void>;
}

/** How to open a test database: its pool size, and the migrations to apply (default: all of them). */
export interface OpenSqlOptions {
  poolSize?: number;
  migrations?: Migration[];
}

/** A SQL backend the conformance suites run against. */
export interface SqlBackend {
  name: 'pglite' | 'postgres';
  open(options?: OpenSqlOptions): Promise<OpenedSql>;
}

async function openPostgres(options: OpenSqlOptions = {}): Promise<OpenedSql> {
  const schema = `ig_t_${runSuffix()}`.toLowerCase();
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 15_000 });
  try {
    await admin.connect();
  } catch (err) {
    throw serviceMissing('PostgreSQL', PG_URL, err);
  }
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  const db = await createPgDatabase({
    connectionString: PG_URL,
    schema,
    max: options.poolSize ?? 10,
    connectionTimeoutMs: 15_000,
  });
  await migrate(db, options.migrations ? { migrations: options.migrations } : {});
  return {
    db,
    schema,
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: PG_URL });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

// Starting PGlite costs seconds (WASM compile), so each test process keeps one instance and gives every
// open() a clean, freshly migrated `public` schema. One open database at a time per process.
let sharedPGlite: Promise<SqlDatabase> | undefined;
let pgliteInUse = false;

async function openPGlite(options: OpenSqlOptions = {}): Promise<OpenedSql> {
  if (pgliteInUse)
    throw new Error('openTestPGlite(): close the previous PGlite database before opening another');
  pgliteInUse = true;
  sharedPGlite ??= createPGliteDatabase();
  const db = await sharedPGlite;
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await migrate(db, options.migrations ? { migrations: options.migrations } : {});
  return {
    db,
    async close() {
      pgliteInUse = false;
    },
  };
}

/**
 * The SQL backends every durable port's conformance suite runs on: embedded PGlite (in memory) and the
 * real PostgreSQL on this machine, each opened fresh and isolated (a unique schema, dropped on close).
 *
 * @example
 * ```ts
 * describe.each(sqlBackends())('audit store on $name', ({ open }) => { … });
 * ```
 */
export function sqlBackends(): SqlBackend[] {
  return [
    { name: 'pglite', open: (o) => openPGlite(o) },
    { name: 'postgres', open: (o) => openPostgres(o) },
  ];
}

/** Opens one isolated, migrated PostgreSQL schema (fails when PostgreSQL is not reachable). */
export const openTestPostgres = openPostgres;
/** Opens a fresh, migrated in-memory PGlite. */
export const openTestPGlite = openPGlite;
