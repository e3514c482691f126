import {
  IntelGraphError,
  isIntelGraphError,
  type Logger,
  packageTracer,
  reportBackgroundFailure,
} from '@intelgraph/core';
import type { TracerProvider } from '@opentelemetry/api';
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import { errorCode } from '../narrow.js';
import { ensureNeo4jSchema } from './schema.js';

/**
 * What a statement changed, from the server's own counters.
 *
 * @example
 * ```ts
 * const { counters } = await neo4j.write((tx) => tx.runCounting('CREATE (:Note {ns: $ns})', { ns: neo4j.namespace }));
 * counters.nodesCreated; // 1
 * ```
 */
export interface Neo4jCounters {
  nodesCreated: number;
  nodesDeleted: number;
  relationshipsCreated: number;
  relationshipsDeleted: number;
}

/**
 * One transaction's view: parameterised Cypher in, plain objects out (integers as JS numbers).
 *
 * @example
 * ```ts
 * const rows = await neo4j.read((tx) =>
 *   tx.run('MATCH (n:IgEntity {ns: $ns}) RETURN n.id AS id LIMIT $limit', { ns: neo4j.namespace, limit: tx.int(5) }),
 * );
 * ```
 */
export interface Neo4jTx {
  run(cypher: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** Like `run`, also returning what the statement created and deleted. */
  runCounting(
    cypher: string,
    params?: Record<string, unknown>,
  ): Promise<{ records: Record<string, unknown>[]; counters: Neo4jCounters }>;
  /** Wraps a whole number for parameters Cypher requires to be integers (`SKIP`, `LIMIT`). */
  int(value: number): unknown;
}

/**
 * Options of {@link createNeo4jConnection}.
 *
 * @example
 * ```ts
 * const options: Neo4jConnectionOptions = { url: 'neo4j://graph:7687', namespace: 'prod', maxConnectionPoolSize: 20 };
 * ```
 */
export interface Neo4jConnectionOptions {
  /** Bolt URL (default `bolt://127.0.0.1:7687`); `neo4j://` for a cluster with routing. */
  url?: string;
  /** Basic auth; omit for a server with authentication disabled (the test server). */
  auth?: { username: string; password: string };
  /** Use an existing driver instead (not closed by `close()` unless `ownsDriver`). */
  driver?: Driver;
  ownsDriver?: boolean;
  /** Database name (default: the server's default database). */
  database?: string;
  /**
   * Every node and relationship this connection writes carries `ns = namespace`, and every query
   * filters on it, so several tenants, environments or test runs can share one database.
   * Lower-case letters, digits and `_`, starting with a letter (default `default`).
   */
  namespace?: string;
  /** Pool size per host (default 50). */
  maxConnectionPoolSize?: number;
  /** TCP connect timeout in ms (default 5 000). */
  connectionTimeoutMs?: number;
  /** How long to wait for a pooled connection in ms (default 10 000). */
  connectionAcquisitionTimeoutMs?: number;
  /** How long transient failures (deadlocks, leader switches, outages) are retried in ms (default 5 000). */
  maxTransactionRetryTimeMs?: number;
  /** Create constraints and indexes on start (default true). */
  ensureSchema?: boolean;
  /**
   * Where the driver's own error log goes (connection and routing failures it handles in the
   * background), each line in a span `intelgraph.store.connection_error`; default: nowhere. Only for
   * the driver this function creates.
   */
  logger?: Logger;
  /** Where that span goes (default: the global OpenTelemetry provider). */
  tracerProvider?: TracerProvider;
}

/**
 * A pooled Neo4j connection scoped to one namespace; the graph and case stores run on it.
 *
 * @example
 * ```ts
 * const neo4j = await createNeo4jConnection({ url: 'bolt://127.0.0.1:7687' });
 * await neo4j.ping(); // readiness probe: throws UNAVAILABLE when the server is down
 * await neo4j.close();
 * ```
 */
export interface Neo4jConnection {
  readonly namespace: string;
  readonly database: string | undefined;
  /** Runs `work` in a read transaction (retried on transient errors, so keep it side-effect free). */
  read<T>(work: (tx: Neo4jTx) => Promise<T>): Promise<T>;
  /**
   * Runs one read statement through the driver's `executeQuery`: a read transaction like `read`'s,
   * retried on transient errors alike, whose BEGIN is pipelined with the statement instead of waiting
   * for its own answer (one round trip fewer; the hot path's graph search uses it).
   */
  readQuery(cypher: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** Wraps a whole number for parameters Cypher requires to be integers (`SKIP`, `LIMIT`). */
  int(value: number): unknown;
  /** Runs `work` in a write transaction: all of it commits or none of it does. */
  write<T>(work: (tx: Neo4jTx) => Promise<T>): Promise<T>;
  /** Creates the constraints and indexes the stores need (idempotent, safe from several hosts at once). */
  ensureSchema(): Promise<void>;
  /** Checks the server answers; `UNAVAILABLE` otherwise. */
  ping(): Promise<void>;
  /** Closes the driver's pool (when this connection owns it). */
  close(): Promise<void>;
}

const NAMESPACE = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Connects to Neo4j (driver `neo4j-driver` ≥ 5.28, an optional peer dependency), verifies
 * connectivity and, unless told otherwise, creates the schema. Connection failures are `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { createNeo4jConnection, createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
 * const neo4j = await createNeo4jConnection({
 *   url: 'neo4j://graph.internal:7687',
 *   auth: { username: 'intelgraph', password: process.env.NEO4J_PASSWORD ?? '' },
 *   namespace: 'prod',
 * });
 * const graph = createNeo4jGraphStore(neo4j);
 * await neo4j.close();
 * ```
 */
export async function createNeo4jConnection(options: Neo4jConnectionOptions = {}): Promise<Neo4jConnection> {
  const namespace = options.namespace ?? 'default';
  if (!NAMESPACE.test(namespace)) {
    throw new IntelGraphError('INVALID_INPUT', `invalid Neo4j namespace "${namespace}"`, {
      details: {
        issues: [
          { code: 'invalid_string', path: ['namespace'], message: 'lower-case letters, digits and _' },
        ],
      },
    });
  }
  const neo4j = (await import('neo4j-driver')).default;
  const owns = options.driver === undefined || options.ownsDriver === true;
  const driver =
    options.driver ??
    neo4j.driver(
      options.url ?? 'bolt://127.0.0.1:7687',
      options.auth ? neo4j.auth.basic(options.auth.username, options.auth.password) : undefined,
      {
        disableLosslessIntegers: true,
        maxConnectionPoolSize: options.maxConnectionPoolSize ?? 50,
        connectionTimeout: options.connectionTimeoutMs ?? 5_000,
        connectionAcquisitionTimeout: options.connectionAcquisitionTimeoutMs ?? 10_000,
        maxTransactionRetryTime: options.maxTransactionRetryTimeMs ?? 5_000,
        logging: { level: 'error', logger: driverLogger(options) },
      },
    );
  const database = options.database;
  const sessionConfig = (mode: 'READ' | 'WRITE') => ({
    defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    ...(database ? { database } : {}),
  });
  const wrap = (tx: ManagedTransaction): Neo4jTx => ({
    async run(cypher, params) {
      const result = await tx.run(cypher, params ?? {});
      return result.records.map((r): Record<string, unknown> => r.toObject());
    },
    async runCounting(cypher, params) {
      const result = await tx.run(cypher, params ?? {});
      const u = result.summary.counters.updates();
      return {
        records: result.records.map((r): Record<string, unknown> => r.toObject()),
        counters: {
          nodesCreated: u.nodesCreated,
          nodesDeleted: u.nodesDeleted,
          relationshipsCreated: u.relationshipsCreated,
          relationshipsDeleted: u.relationshipsDeleted,
        },
      };
    },
    int: (value) => neo4j.int(value),
  });
  const inSession = async <T>(mode: 'READ' | 'WRITE', work: (tx: Neo4jTx) => Promise<T>): Promise<T> => {
    const session = driver.session(sessionConfig(mode));
    try {
      return mode === 'READ'
        ? await session.executeRead((tx) => work(wrap(tx)))
        : await session.executeWrite((tx) => work(wrap(tx)));
    } catch (err) {
      throw toIntelGraphNeo4jError(err);
    } finally {
      await session.close().catch(() => {});
    }
  };

  const connection: Neo4jConnection = {
    namespace,
    database,
    read: (work) => inSession('READ', work),
    async readQuery(cypher, params) {
      try {
        const result = await driver.executeQuery(cypher, params ?? {}, {
          routing: neo4j.routing.READ,
          // Like `read`'s sessions: no bookmarks carried from one call to the next.
          bookmarkManager: null,
          ...(database ? { database } : {}),
        });
        return result.records.map((r): Record<string, unknown> => r.toObject());
      } catch (err) {
        throw toIntelGraphNeo4jError(err);
      }
    },
    int: (value) => neo4j.int(value),
    write: (work) => inSession('WRITE', work),
    async ensureSchema() {
      try {
        await ensureNeo4jSchema(async (cypher, params) => {
          const { records } = await driver.executeQuery(cypher, params ?? {}, database ? { database } : {});
          const first = records[0];
          return first?.has('n') ? Number(first.get('n')) : 0;
        });
      } catch (err) {
        throw toIntelGraphNeo4jError(err);
      }
    },
    async ping() {
      try {
        await driver.verifyConnectivity(database ? { database } : {});
      } catch (err) {
        throw toIntelGraphNeo4jError(err);
      }
    },
    async close() {
      if (owns) await driver.close();
    },
  };
  try {
    await connection.ping();
    if (options.ensureSchema !== false) await connection.ensureSchema();
  } catch (err) {
    await connection.close().catch(() => {});
    throw err;
  }
  return connection;
}

/** The driver's `logging.logger`: its error lines, to the connection's logger. */
function driverLogger(options: Neo4jConnectionOptions): (level: string, message: string) => void {
  const { logger } = options;
  if (!logger) return () => {};
  const tracer = packageTracer('@intelgraph/adapters', options.tracerProvider);
  return (level, message) => {
    if (level !== 'error') return;
    reportBackgroundFailure(
      tracer,
      'intelgraph.store.connection_error',
      { 'db.system.name': 'neo4j' },
      logger,
      'Neo4j driver error',
      new IntelGraphError('UNAVAILABLE', message.slice(0, 1000)),
      { store: 'neo4j' },
    );
  };
}

const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/**
 * Maps driver and server errors to the framework's codes (`UNAVAILABLE` for connection failures,
 * `CONFLICT` for constraint violations, `INTERNAL` otherwise); typed errors pass through unchanged.
 *
 * @example
 * ```ts
 * import { toIntelGraphNeo4jError } from '@intelgraph/adapters/neo4j';
 * try {
 *   await session.run('RETURN 1');
 * } catch (err) {
 *   throw toIntelGraphNeo4jError(err);
 * }
 * ```
 */
export function toIntelGraphNeo4jError(err: unknown): IntelGraphError {
  if (isIntelGraphError(err)) return err;
  const code = String(errorCode(err) ?? '');
  const message = err instanceof Error ? err.message : String(err);
  if (
    UNAVAILABLE_CODES.has(code) ||
    code.startsWith('Neo.TransientError.General.DatabaseUnavailable') ||
    /connection acquisition timed out|could not perform discovery|failed to connect|pool is closed|connection was closed/i.test(
      message,
    )
  ) {
    return new IntelGraphError('UNAVAILABLE', `Neo4j is unavailable: ${message}`, { cause: err });
  }
  if (code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new IntelGraphError('CONFLICT', 'the write conflicts with existing data', { cause: err });
  }
  return new IntelGraphError('INTERNAL', `Neo4j error${code ? ` ${code}` : ''}: ${message}`, { cause: err });
}
