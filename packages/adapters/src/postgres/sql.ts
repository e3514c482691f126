import { IntelGraphError, type Logger, packageTracer, reportBackgroundFailure } from '@intelgraph/core';
import type { TracerProvider } from '@opentelemetry/api';
import { errorCode } from '../narrow.js';

// The public types below describe the drivers structurally (only what this file calls), so the
// declarations never import `pg` or `@electric-sql/pglite`: a PGlite-only host compiles without
// `@types/pg`, and a PostgreSQL-only one without PGlite's types, under `skipLibCheck: false` too.

/** The result of one statement. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** Runs parameterised statements. Values always travel as parameters ($1, $2, …), never in the text. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/** Transaction isolation levels. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** A database the PostgreSQL adapters run on: real PostgreSQL through `pg`, or embedded PGlite. */
export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** The schema every statement runs in (`public` unless configured). */
  readonly schema: string;
  /** BEGIN … COMMIT on one connection; ROLLBACK and rethrow on error. Not re-entrant. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: { isolation?: IsolationLevel }): Promise<T>;
  /** Checks the database answers (used by readiness probes). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

function toUnavailable(err: unknown): unknown {
  const code = errorCode(err);
  // Connection-level failures become UNAVAILABLE; SQL errors (constraint violations…) pass through.
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P01|57P02|57P03|08\w{3})$/.test(code)
  ) {
    return new IntelGraphError('UNAVAILABLE', `PostgreSQL is unavailable (${code})`, { cause: err });
  }
  if (
    err instanceof Error &&
    /Connection terminated|connection timeout|Client was closed/i.test(err.message)
  ) {
    return new IntelGraphError('UNAVAILABLE', `PostgreSQL is unavailable: ${err.message}`, { cause: err });
  }
  return err;
}

function beginStatement(isolation?: IsolationLevel): string {
  return isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN';
}

/** The part of a `pg` client this adapter uses (a `pg.PoolClient` is one). */
export interface PgClientLike {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
  release(destroy?: boolean | Error): void;
}

/** The part of a `pg.Pool` this adapter uses (a `pg.Pool` is one). */
export interface PgPoolLike {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  connect(): Promise<PgClientLike>;
  end(): Promise<void>;
}

/** Options of {@link createPgDatabase}. */
export interface PgDatabaseOptions {
  /** `postgres://user@host:port/db`; ignored when `pool` is given. */
  connectionString?: string;
  /** An existing pool; the database does not close it unless `ownsPool` is true. */
  pool?: PgPoolLike;
  ownsPool?: boolean;
  /** Run everything in this schema (created by `migrate()` when missing). */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** Per-statement timeout in ms (default 30 000). */
  statementTimeoutMs?: number;
  /** Connection timeout in ms (default 5 000). */
  connectionTimeoutMs?: number;
  /**
   * Where errors of the pool's idle clients are logged (a server restart, `pg_terminate_backend`,
   * a failover; the pool replaces the client on the next query), each in a span
   * `intelgraph.store.connection_error`. Only for the pool this function opens (default: nowhere).
   */
  logger?: Logger;
  /** Where that span goes (default: the global OpenTelemetry provider). */
  tracerProvider?: TracerProvider;
}

/**
 * A {@link SqlDatabase} over real PostgreSQL using a `pg` pool. BIGINT columns come back as numbers.
 *
 * @example
 * ```ts
 * import { createPgDatabase, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPgDatabase({ connectionString: 'postgres://postgres@127.0.0.1:5432/intelgraph' });
 * await migrate(db);
 * const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ig_audit_events');
 * await db.close();
 * ```
 */
export async function createPgDatabase(options: PgDatabaseOptions): Promise<SqlDatabase> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new IntelGraphError('INVALID_INPUT', `invalid schema name "${schema}"`, { details: { schema } });
  }
  let pool = options.pool;
  const ownsPool = options.pool === undefined || options.ownsPool === true;
  if (!pool) {
    const { default: pgModule } = await import('pg');
    // This pool's own parsers: int8 (counts, sums) as numbers, every other type as pg parses it.
    const types = new pgModule.TypeOverrides();
    types.setTypeParser(INT8_OID, 'text', (v: string) => Number(v));
    const created = new pgModule.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idleTimeoutMillis: 10_000,
      options: `-c search_path=${schema}`,
      types,
    });
    // An idle client that dies (server restart, pg_terminate_backend) must not crash the host.
    const tracer = packageTracer('@intelgraph/adapters', options.tracerProvider);
    created.on('error', (err: Error) =>
      reportBackgroundFailure(
        tracer,
        'intelgraph.store.connection_error',
        { 'db.system.name': 'postgresql' },
        options.logger,
        'PostgreSQL idle client failed; the pool replaces it',
        toUnavailable(err),
        { store: 'postgres' },
      ),
    );
    pool = created;
  }
  const p = pool;
  const run = async <R>(client: PgPoolLike | PgClientLike, text: string, params?: readonly unknown[]) => {
    try {
      const r = await client.query(text, params);
      // The row type is the caller's claim about its own SELECT (SqlExecutor.query<R>), as with pg's own
      // query<R>(); the stores decode each column with the checks in ../narrow.ts.
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw toUnavailable(err);
    }
  };
  return {
    kind: 'postgres',
    schema,
    query: (text, params) => run(p, text, params),
    async exec(script) {
      await run(p, script);
    },
    async transaction(fn, txOptions) {
      let client: PgClientLike;
      try {
        client = await p.connect();
      } catch (err) {
        throw toUnavailable(err);
      }
      let broken = false;
      // A checked-out client whose connection dies (pg_terminate_backend, failover) emits 'error';
      // without a listener that is an uncaught exception, and the whole host process goes down.
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await run(client, beginStatement(txOptions?.isolation));
        const tx: SqlExecutor = {
          query: (text, params) => run(client, text, params),
          async exec(script) {
            await run(client, script);
          },
        };
        const result = await fn(tx);
        await run(client, 'COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
        throw toUnavailable(err);
      } finally {
        // A broken client keeps the listener: it is discarded, and may still report its socket closing.
        if (!broken) client.off('error', onError);
        client.release(broken ? true : undefined);
      }
    },
    async ping() {
      await run(p, 'SELECT 1');
    },
    async close() {
      if (ownsPool) await p.end();
    },
  };
}

/** The part of a PGlite transaction or instance this adapter uses. */
export interface PGliteExecutorLike {
  query<R>(text: string, params?: readonly unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(script: string): Promise<unknown>;
}

/** The part of a `PGlite` instance this adapter uses (a `PGlite` is one). */
export interface PGliteLike extends PGliteExecutorLike {
  transaction<T>(callback: (tx: PGliteExecutorLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** Options of {@link createPGliteDatabase}. */
export interface PGliteDatabaseOptions {
  /** A folder for durable data (for example `./.intelgraph/pg`); in memory when omitted. */
  dataDir?: string;
  /** An existing PGlite instance (not closed by `close()` unless `ownsInstance`). */
  instance?: PGliteLike;
  ownsInstance?: boolean;
}

/**
 * A {@link SqlDatabase} over embedded PGlite (PostgreSQL compiled to WASM), the embedded default.
 * PGlite has one connection; it queues statements and runs transactions exclusively.
 *
 * @example
 * ```ts
 * import { createPGliteDatabase, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPGliteDatabase({ dataDir: './.intelgraph/pg' });
 * await migrate(db);
 * ```
 */
export async function createPGliteDatabase(options: PGliteDatabaseOptions = {}): Promise<SqlDatabase> {
  let instance = options.instance;
  const owns = options.instance === undefined || options.ownsInstance === true;
  if (!instance) {
    const { PGlite } = await import('@electric-sql/pglite');
    const created: PGliteLike = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      parsers: { [INT8_OID]: (v: string) => Number(v) },
    });
    instance = created;
  }
  const db = instance;
  const wrap = (exec: PGliteExecutorLike): SqlExecutor => ({
    async query<R>(text: string, params?: readonly unknown[]) {
      const r = await exec.query<R>(text, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(script: string) {
      await exec.exec(script);
    },
  });
  const base = wrap(db);
  return {
    kind: 'pglite',
    schema: 'public',
    ...base,
    async transaction(fn, txOptions) {
      return db.transaction(async (tx) => {
        if (txOptions?.isolation)
          await tx.exec(`SET TRANSACTION ISOLATION LEVEL ${txOptions.isolation.toUpperCase()}`);
        return fn(wrap(tx));
      });
    },
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      if (owns && !db.closed) await db.close();
    },
  };
}
