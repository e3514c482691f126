// The Neo4j schema of the graph and case stores. Every statement is idempotent (IF NOT EXISTS), and
// "already exists" races between hosts starting at once are ignored.

/** Node labels and relationship types are fixed; entity and relationship kinds are properties. */
export const LABELS = Object.freeze({
  entity: 'IgEntity',
  case: 'IgCase',
  relationship: 'IG_REL',
  caseLink: 'IG_CASE_LINK',
});

/** The full-text index behind `GraphStore.search`. */
export const SEARCH_INDEX = 'ig_entity_search';

const STATEMENTS = [
  'CREATE CONSTRAINT ig_entity_key IF NOT EXISTS FOR (n:IgEntity) REQUIRE (n.ns, n.id) IS UNIQUE',
  'CREATE CONSTRAINT ig_case_key IF NOT EXISTS FOR (n:IgCase) REQUIRE (n.ns, n.id) IS UNIQUE',
  'CREATE CONSTRAINT ig_rel_key IF NOT EXISTS FOR ()-[r:IG_REL]-() REQUIRE (r.ns, r.key) IS UNIQUE',
  'CREATE INDEX ig_case_org IF NOT EXISTS FOR (n:IgCase) ON (n.ns, n.orgId)',
  // Not eventually consistent: an entity is searchable as soon as its transaction commits.
  `CREATE FULLTEXT INDEX ${SEARCH_INDEX} IF NOT EXISTS FOR (n:IgEntity) ON EACH [n.searchText, n.ns]
   OPTIONS { indexConfig: { \`fulltext.analyzer\`: 'standard-no-stop-words', \`fulltext.eventually_consistent\`: false } }`,
  'CALL db.awaitIndexes(300)',
];

const ALREADY_EXISTS = /EquivalentSchemaRuleAlreadyExists|IndexAlreadyExists|ConstraintAlreadyExists/;

/** Runs the schema statements in order through `run` (one auto-commit transaction each). */
export async function ensureNeo4jSchema(run: (cypher: string) => Promise<void>): Promise<void> {
  for (const statement of STATEMENTS) {
    try {
      await run(statement);
    } catch (err) {
      if (!ALREADY_EXISTS.test(String((err as { code?: unknown } | null)?.code ?? ''))) throw err;
    }
  }
}
