// The backends every port's conformance suite runs its test bodies on, and the open/close bookkeeping
// around each test, written once. A suite names how to build its store on each backend; this module
// opens the backend (a fresh PostgreSQL schema, a clean PGlite, a Neo4j namespace), hands the store to
// the test and closes everything the test opened after it, pass or fail.
import type { Neo4jConnection } from '@intelgraph/adapters/neo4j';
import type { SqlDatabase } from '@intelgraph/adapters/postgres';
import { afterEach, beforeAll } from 'vitest';
import { openTestNeo4j } from './neo4j.js';
import { sqlBackends } from './sql.js';

/** A store opened on one backend, and the function that disposes of the backend's data. */
export interface OpenedStore<T> {
  store: T;
  close(): Promise<void>;
}

/** One backend a conformance suite runs on; `open` takes the suite's own arguments (a clock, say). */
export interface StoreBackend<T, A extends unknown[] = []> {
  name: 'memory' | 'neo4j' | 'pglite' | 'postgres';
  open(...args: A): Promise<OpenedStore<T>>;
}

/** How a suite builds its store on each backend; a backend without a factory is not run. */
export interface StoreFactories<T, A extends unknown[] = []> {
  /** A fresh in-memory store (the reference implementation). */
  memory(...args: A): T;
  /** The store over a freshly migrated PGlite or PostgreSQL database. */
  sql(db: SqlDatabase, ...args: A): T;
  /** The store over a Neo4j connection in a namespace of its own. */
  neo4j?(connection: Neo4jConnection, ...args: A): T;
  /** PostgreSQL pool size for suites that race many writers (default: the support module's 10). */
  poolSize?: number;
}

/**
 * The backends a port's conformance suite runs on, in order: memory, Neo4j (when the suite gives a
 * factory for it), PGlite and the real PostgreSQL. Each `open()` is isolated from every other one.
 *
 * @example
 * ```ts
 * const backends = storeBackends({
 *   memory: () => createMemorySchemaStore(),
 *   sql: (db) => createPgSchemaRegistryStore(db),
 * });
 * describe.each(backends)('schema registry store on $name', (backend) => {
 *   const open = openEachTest(backend);
 *   it('…', async () => { const store = await open(); … });
 * });
 * ```
 */
export function storeBackends<T, A extends unknown[] = []>(
  factories: StoreFactories<T, A>,
): StoreBackend<T, A>[] {
  const backends: StoreBackend<T, A>[] = [
    {
      name: 'memory',
      open: async (...args) => ({ store: factories.memory(...args), close: async () => {} }),
    },
  ];
  const { neo4j } = factories;
  if (neo4j) {
    backends.push({
      name: 'neo4j',
      async open(...args) {
        const neo = await openTestNeo4j();
        try {
          return { store: neo4j(neo.connection, ...args), close: () => neo.close() };
        } catch (err) {
          await neo.close();
          throw err;
        }
      },
    });
  }
  for (const sql of sqlBackends()) {
    backends.push({
      name: sql.name,
      async open(...args) {
        const opened = await sql.open(factories.poolSize ? { poolSize: factories.poolSize } : {});
        try {
          return { store: factories.sql(opened.db, ...args), close: () => opened.close() };
        } catch (err) {
          await opened.close();
          throw err;
        }
      },
    });
  }
  return backends;
}

/**
 * Call inside a suite's `describe`: returns an `open()` for the tests, closes whatever a test opened
 * once it ends. With `warmUp` (the arguments to open with) it also opens and closes the backend once
 * before the first test, so a backend's start-up cost (PGlite's WASM compile, a Neo4j connection) is
 * not charged to one test.
 *
 * @example
 * ```ts
 * describe.each(backends)('graph store on $name', (backend) => {
 *   const open = openEachTest(backend, { warmUp: [createManualClock(T0)] });
 *   it('…', async () => { const graph = await open(createManualClock(T0)); … });
 * });
 * ```
 */
export function openEachTest<T, A extends unknown[]>(
  backend: StoreBackend<T, A>,
  options: { warmUp?: NoInfer<A> } = {},
): (...args: A) => Promise<T> {
  const opened: OpenedStore<T>[] = [];
  const { warmUp } = options;
  if (warmUp) {
    beforeAll(async () => {
      await (await backend.open(...warmUp)).close();
    });
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
  });
  return async (...args: A) => {
    const o = await backend.open(...args);
    opened.push(o);
    return o.store;
  };
}
