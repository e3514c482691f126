// The Neo4j schema of the graph and case stores. Every statement is idempotent (IF NOT EXISTS), and
// "already exists" races between hosts starting at once are ignored.
import { sha256Hex } from '@intelgraph/core';
import { errorCode } from '../narrow.js';

/**
 * Node labels and relationship types are fixed (every statement of the adapter names them through this
 * constant, never spliced from input); entity and relationship kinds are properties.
 */
export const LABELS = Object.freeze({
  entity: 'IgEntity',
  case: 'IgCase',
  relationship: 'IG_REL',
  caseLink: 'IG_CASE_LINK',
  /** Marks one-off data migrations as done. */
  migration: 'IgMigration',
});

/**
 * The full-text index behind `OrgGraph.search`: the words of names and aliases, the namespace and the
 * org key, so a search reads one org's postings only. Its predecessor without the org,
 * `ig_entity_search`, is left for the operator to drop once no host of an older version runs
 * (docs/guides/deployment.md): dropping it here would break those hosts mid-upgrade.
 */
export const SEARCH_INDEX = 'ig_entity_search_org';

/**
 * The org that nodes and edges written before org partitioning belong to (deployment guide).
 *
 * @example
 * ```ts
 * import { PRE_TENANCY_ORG } from '@intelgraph/adapters/neo4j';
 * const legacy = createNeo4jGraphStore(neo4j).forOrg(PRE_TENANCY_ORG); // what an upgrade kept
 * ```
 */
export const PRE_TENANCY_ORG = 'default';

/**
 * The org as one Lucene token (`orgKey` on every entity): org ids may hold `. @ : + -`, which the
 * standard analyzer splits on, so the full-text clause matches a hex digest and the exact `n.org`
 * comparison after it settles any doubt. Needed to re-key nodes by hand (deployment guide).
 *
 * @example
 * ```ts
 * import { orgKeyOf } from '@intelgraph/adapters/neo4j';
 * await neo4j.write((tx) =>
 *   tx.run("MATCH (n:IgEntity {ns: $ns, org: 'default'}) SET n.org = $org, n.orgKey = $key", {
 *     ns: neo4j.namespace, org: 'acme', key: orgKeyOf('acme'),
 *   }),
 * );
 * ```
 */
export function orgKeyOf(orgId: string): string {
  return `o${sha256Hex(orgId).slice(0, 40)}`;
}

const STATEMENTS = [
  // Entities and relationships are unique per (namespace, org, id): two orgs may hold the same id.
  'DROP CONSTRAINT ig_entity_key IF EXISTS',
  'DROP CONSTRAINT ig_rel_key IF EXISTS',
  `CREATE CONSTRAINT ig_entity_org_key IF NOT EXISTS FOR (n:${LABELS.entity}) REQUIRE (n.ns, n.org, n.id) IS UNIQUE`,
  `CREATE CONSTRAINT ig_case_key IF NOT EXISTS FOR (n:${LABELS.case}) REQUIRE (n.ns, n.id) IS UNIQUE`,
  `CREATE CONSTRAINT ig_rel_org_key IF NOT EXISTS FOR ()-[r:${LABELS.relationship}]-() REQUIRE (r.ns, r.org, r.key) IS UNIQUE`,
  `CREATE INDEX ig_case_org IF NOT EXISTS FOR (n:${LABELS.case}) ON (n.ns, n.orgId)`,
  // Not eventually consistent: an entity is searchable as soon as its transaction commits.
  `CREATE FULLTEXT INDEX ${SEARCH_INDEX} IF NOT EXISTS FOR (n:${LABELS.entity}) ON EACH [n.searchText, n.ns, n.orgKey]
   OPTIONS { indexConfig: { \`fulltext.analyzer\`: 'standard-no-stop-words', \`fulltext.eventually_consistent\`: false } }`,
  'CALL db.awaitIndexes(300)',
];

// Nodes and edges written before org partitioning move to PRE_TENANCY_ORG, in batches (each statement is
// its own transaction and returns how many it changed); a marker node records that it is done.
const MIGRATED = `MATCH (m:${LABELS.migration} {id: 'graph_org'}) RETURN count(m) AS n`;
const BACKFILL = [
  `MATCH (n:${LABELS.entity}) WHERE n.org IS NULL WITH n LIMIT 10000
   SET n.org = $org, n.orgKey = $orgKey RETURN count(n) AS n`,
  `MATCH ()-[r:${LABELS.relationship}]->() WHERE r.org IS NULL WITH r LIMIT 10000
   SET r.org = $org RETURN count(r) AS n`,
];
const MARK_MIGRATED = `MERGE (m:${LABELS.migration} {id: 'graph_org'}) RETURN 1 AS n`;

const ALREADY_EXISTS = /EquivalentSchemaRuleAlreadyExists|IndexAlreadyExists|ConstraintAlreadyExists/;

/** Runs one statement (its own transaction) and returns the integer column `n` of its first row. */
export type Neo4jSchemaRunner = (cypher: string, params?: Record<string, unknown>) => Promise<number>;

/**
 * Runs the schema statements in order through `run`, then moves pre-partitioning data to
 * {@link PRE_TENANCY_ORG} once per database.
 *
 * @example
 * ```ts
 * await ensureNeo4jSchema(async (cypher, params) => {
 *   const { records } = await driver.executeQuery(cypher, params ?? {});
 *   return Number(records[0]?.get('n') ?? 0);
 * });
 * ```
 */
export async function ensureNeo4jSchema(run: Neo4jSchemaRunner): Promise<void> {
  for (const statement of STATEMENTS) {
    try {
      await run(statement);
    } catch (err) {
      if (!ALREADY_EXISTS.test(String(errorCode(err) ?? ''))) throw err;
    }
  }
  if ((await run(MIGRATED)) > 0) return;
  const params = { org: PRE_TENANCY_ORG, orgKey: orgKeyOf(PRE_TENANCY_ORG) };
  for (const statement of BACKFILL) while ((await run(statement, params)) > 0);
  await run(MARK_MIGRATED);
}
