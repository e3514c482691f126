import { createNeo4jConnection, type Neo4jConnection } from '@intelgraph/adapters/neo4j';
import { runSuffix, serviceMissing } from './env.js';

/** The Bolt URL of the Neo4j test server (`scripts/neo4j-test-server/run.sh start`). */
export const NEO4J_URL = process.env.IG_TEST_NEO4J_URL ?? 'bolt://127.0.0.1:7687';

/** A connection in a namespace of its own, and the function that deletes that namespace's data. */
export interface TestNeo4j {
  connection: Neo4jConnection;
  namespace: string;
  /** Deletes every node of this namespace and closes the connection. */
  close(): Promise<void>;
}

/**
 * Connects to the Neo4j test server in a fresh namespace (`ns` property on every node and edge), so
 * runs sharing the harness's single database never see each other's data. Throws (the test fails)
 * when Neo4j is not reachable.
 *
 * @example
 * ```ts
 * const neo = await openTestNeo4j();
 * const graph = createNeo4jGraphStore(neo.connection);
 * await neo.close();
 * ```
 */
export async function openTestNeo4j(options: { maxConnectionPoolSize?: number } = {}): Promise<TestNeo4j> {
  const namespace = `t_${runSuffix()}`.toLowerCase();
  let connection: Neo4jConnection;
  try {
    connection = await createNeo4jConnection({
      url: NEO4J_URL,
      namespace,
      connectionTimeoutMs: 3_000,
      maxTransactionRetryTimeMs: 10_000,
      ...(options.maxConnectionPoolSize ? { maxConnectionPoolSize: options.maxConnectionPoolSize } : {}),
    });
  } catch (err) {
    throw serviceMissing('Neo4j', `${NEO4J_URL} (start it with scripts/neo4j-test-server/run.sh start)`, err);
  }
  return {
    connection,
    namespace,
    async close() {
      try {
        for (const label of ['IgCase', 'IgEntity'] as const) {
          for (;;) {
            const [row] = await connection.write((tx) =>
              tx.run(
                label === 'IgCase'
                  ? 'MATCH (n:IgCase {ns: $ns}) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n'
                  : 'MATCH (n:IgEntity {ns: $ns}) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n',
                { ns: namespace },
              ),
            );
            if (Number(row?.n ?? 0) === 0) break;
          }
        }
      } finally {
        await connection.close();
      }
    },
  };
}
