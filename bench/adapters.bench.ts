// Storage adapters benchmark:
//  - audit append throughput, PostgreSQL against PGlite (and core's in-memory store for reference):
//    one append at a time (latency-bound) and 64 in flight (group commit), chain verified afterwards;
//  - graph search on Neo4j with 100,000 seeded entities: seeding time (target < 60 s, batched UNWIND
//    upserts of 5,000) and search p50/p95/p99 over a fixed query mix; the in-memory graph on the same
//    data for reference.
// Needs PostgreSQL on 127.0.0.1:5432 and the Neo4j test server (scripts/neo4j-test-server/run.sh start).
// Run: ./run pnpm exec node --no-node-snapshot --conditions=@intelgraph/source --import tsx bench/adapters.bench.ts
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { createMemoryGraphStore } from '@intelgraph/adapters/memory';
import { createNeo4jConnection, createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
import {
  createPGliteDatabase,
  createPgAuditStore,
  createPgDatabase,
  migrate,
  type SqlDatabase,
} from '@intelgraph/adapters/postgres';
import {
  type AuditEventInput,
  type AuditStore,
  createMemoryAuditStore,
  type GraphEntityInput,
  type OrgGraph,
  verifyAuditChain,
} from '@intelgraph/core';
import pg from 'pg';
import { writeResultFile } from './support/report.js';

const PG_URL = process.env.IG_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NEO4J_URL = process.env.IG_TEST_NEO4J_URL ?? 'bolt://127.0.0.1:7687';
const AUDIT_SEQUENTIAL = Number(process.env.ADAPTERS_BENCH_AUDIT_SEQUENTIAL ?? 500);
const AUDIT_CONCURRENT = Number(process.env.ADAPTERS_BENCH_AUDIT_CONCURRENT ?? 5_000);
const IN_FLIGHT = 64;
const ENTITIES = Number(process.env.ADAPTERS_BENCH_ENTITIES ?? 100_000);
const SEED_BATCH = 5_000;
const SEARCHES = Number(process.env.ADAPTERS_BENCH_SEARCHES ?? 600);
const MEMORY_SEARCHES = Number(process.env.ADAPTERS_BENCH_MEMORY_SEARCHES ?? 100);

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const pct = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    p50: round(pct(s, 0.5)),
    p95: round(pct(s, 0.95)),
    p99: round(pct(s, 0.99)),
    max: round(s.at(-1) ?? 0),
  };
};

/** mulberry32: a small seeded PRNG, so every run seeds and queries the same data. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// ---------------------------------------------------------------- audit append throughput
function auditInput(n: number): AuditEventInput {
  return {
    id: `audit_${n}`,
    at: new Date(Date.UTC(2026, 3, 1) + n).toISOString(),
    type: 'plugin.run',
    actor: { userId: 'alice', orgId: 'acme' },
    subject: 'plugin:sample-enricher',
    orgId: 'acme',
    data: { runId: `run_${n}`, usage: { wallMs: 12, cpuMs: 9, rows: 10 }, cost: 0.0004 },
  };
}

interface AuditFigures {
  sequential: { events: number; perSecond: number; latencyMs: ReturnType<typeof summary> };
  concurrent: { events: number; inFlight: number; perSecond: number };
  chainVerified: boolean;
}

async function benchAudit(store: AuditStore): Promise<AuditFigures> {
  for (let i = 0; i < 20; i++) await store.append(auditInput(-1 - i)); // warm-up
  const latencies: number[] = [];
  let started = performance.now();
  for (let i = 0; i < AUDIT_SEQUENTIAL; i++) {
    const t = performance.now();
    await store.append(auditInput(i));
    latencies.push(performance.now() - t);
  }
  const sequentialMs = performance.now() - started;

  started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < AUDIT_CONCURRENT) {
      const n = next++;
      await store.append(auditInput(AUDIT_SEQUENTIAL + n));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const concurrentMs = performance.now() - started;

  const all = [];
  let afterSeq: number | undefined;
  for (;;) {
    const page = await store.list({ limit: 10_000, ...(afterSeq === undefined ? {} : { afterSeq }) });
    all.push(...page);
    if (page.length < 10_000) break;
    afterSeq = page.at(-1)?.seq;
  }
  return {
    sequential: {
      events: AUDIT_SEQUENTIAL,
      perSecond: Math.round((AUDIT_SEQUENTIAL / sequentialMs) * 1000),
      latencyMs: summary(latencies),
    },
    concurrent: {
      events: AUDIT_CONCURRENT,
      inFlight: IN_FLIGHT,
      perSecond: Math.round((AUDIT_CONCURRENT / concurrentMs) * 1000),
    },
    chainVerified: verifyAuditChain(all).ok && all.length === 20 + AUDIT_SEQUENTIAL + AUDIT_CONCURRENT,
  };
}

async function withPostgres<T>(fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const schema = `ig_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const db = await createPgDatabase({ connectionString: PG_URL, schema, max: 10 });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

// ---------------------------------------------------------------- graph search
const FIRST = [
  'Alice',
  'Bob',
  'Carol',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jamal',
  'Kira',
  'Liam',
  'Mei',
  'Nadia',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zofia',
];
const SYLLABLES = [
  'an',
  'ber',
  'cor',
  'dal',
  'esk',
  'fin',
  'gar',
  'hol',
  'ist',
  'jor',
  'kel',
  'lin',
  'mor',
  'nov',
  'ost',
  'pel',
  'quin',
  'ros',
  'sten',
  'tal',
  'ul',
  'var',
  'wes',
  'yor',
  'zan',
];
const ORG_WORDS = [
  'Holdings',
  'Trading',
  'Logistics',
  'Shipping',
  'Capital',
  'Partners',
  'Imports',
  'Energy',
  'Mining',
  'Consulting',
];

function surname(rand: () => number): string {
  const n = 2 + Math.floor(rand() * 2);
  let s = '';
  for (let i = 0; i < n; i++) s += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function seedEntities(count: number): GraphEntityInput[] {
  const rand = seeded(42);
  return Array.from({ length: count }, (_, i): GraphEntityInput => {
    const last = surname(rand);
    if (i % 4 === 3) {
      return {
        id: `org_${i}`,
        type: 'Organization',
        name: `${last} ${ORG_WORDS[Math.floor(rand() * ORG_WORDS.length)]}`,
        properties: { country: ['NO', 'DE', 'SG', 'BR'][Math.floor(rand() * 4)] ?? 'NO' },
      };
    }
    const first = FIRST[Math.floor(rand() * FIRST.length)] ?? 'Alice';
    return {
      id: `person_${i}`,
      type: 'Person',
      name: `${first} ${last}`,
      aliases: i % 10 === 0 ? [`${first.charAt(0)}. ${last}`] : [],
      properties: { risk: Math.floor(rand() * 100) },
    };
  });
}

/** A fixed query mix: exact full names, a surname, a first-name prefix, two-word prefixes, a type filter. */
function queryMix(entities: readonly GraphEntityInput[], count: number) {
  const rand = seeded(7);
  return Array.from({ length: count }, (_, i) => {
    const e = entities[Math.floor(rand() * entities.length)] ?? entities[0];
    const words = (e?.name ?? 'Alice').split(' ');
    switch (i % 5) {
      case 0:
        return { q: e?.name ?? 'Alice', limit: 10 };
      case 1:
        return { q: words.at(-1) ?? 'x', limit: 10 };
      case 2:
        return { q: (words[0] ?? 'ali').slice(0, 3), limit: 10 };
      case 3:
        return { q: `${(words[0] ?? 'a').slice(0, 2)} ${(words.at(-1) ?? 'b').slice(0, 4)}`, limit: 10 };
      default:
        return { q: (words.at(-1) ?? 'x').slice(0, 5), types: ['Organization'], limit: 10 };
    }
  });
}

async function timeSearches(graph: OrgGraph, queries: ReturnType<typeof queryMix>) {
  const latencies: number[] = [];
  let rows = 0;
  for (const q of queries.slice(0, 20)) await graph.search(q); // warm-up
  for (const q of queries) {
    const t = performance.now();
    const page = await graph.search(q);
    latencies.push(performance.now() - t);
    rows += page.rows;
  }
  return { searches: queries.length, meanRows: round(rows / queries.length), latencyMs: summary(latencies) };
}

// ---------------------------------------------------------------- main
const startedAt = new Date();
const results: Record<string, unknown> = {};

console.log('audit: memory');
const memoryAudit = await benchAudit(createMemoryAuditStore());
console.log('audit: pglite');
const pglite = await createPGliteDatabase();
await migrate(pglite);
const pgliteAudit = await benchAudit(createPgAuditStore(pglite));
await pglite.close();
console.log('audit: postgres');
const postgresAudit = await withPostgres((db) => benchAudit(createPgAuditStore(db)));
results.audit = { memory: memoryAudit, pglite: pgliteAudit, postgres: postgresAudit };

console.log(`graph: seeding ${ENTITIES} entities into Neo4j`);
const entities = seedEntities(ENTITIES);
const namespace = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const neo4j = await createNeo4jConnection({ url: NEO4J_URL, namespace, maxTransactionRetryTimeMs: 30_000 });
const [component] = await neo4j.read((tx) =>
  tx.run('CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition'),
);
const neoGraph = createNeo4jGraphStore(neo4j).forOrg('bench');
let seedMs = 0;
try {
  const t = performance.now();
  // Two batches in flight: one is parsed and sent while the server commits the other.
  let nextBatch = 0;
  const seeder = async () => {
    while (nextBatch < entities.length) {
      const from = nextBatch;
      nextBatch += SEED_BATCH;
      await neoGraph.upsert({ entities: entities.slice(from, from + SEED_BATCH) });
    }
  };
  await Promise.all([seeder(), seeder()]);
  seedMs = performance.now() - t;
  console.log(`graph: seeded in ${round(seedMs / 1000, 1)} s; searching`);
  const queries = queryMix(entities, SEARCHES);
  const neoSearch = await timeSearches(neoGraph, queries);

  console.log('graph: memory store on the same data');
  const memGraph = createMemoryGraphStore().forOrg('bench');
  const mt = performance.now();
  for (let i = 0; i < entities.length; i += SEED_BATCH) {
    await memGraph.upsert({ entities: entities.slice(i, i + SEED_BATCH) });
  }
  const memSeedMs = performance.now() - mt;
  const memSearch = await timeSearches(memGraph, queries.slice(0, MEMORY_SEARCHES));
  results.graph = {
    entities: ENTITIES,
    neo4j: {
      server: component
        ? `${String(component.name)} ${String(component.version)} ${String(component.edition)}`
        : 'unknown',
      seedSeconds: round(seedMs / 1000, 1),
      seedBatch: SEED_BATCH,
      seedTargetMet: seedMs < 60_000,
      search: neoSearch,
    },
    memory: { seedSeconds: round(memSeedMs / 1000, 1), search: memSearch },
  };
} finally {
  for (;;) {
    const [row] = await neo4j.write((tx) =>
      tx.run('MATCH (n:IgEntity {ns: $ns}) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n', {
        ns: namespace,
      }),
    );
    if (Number(row?.n ?? 0) === 0) break;
  }
  await neo4j.close();
}

const machine = {
  date: startedAt.toISOString(),
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'cpu'}`,
  memoryGiB: round(totalmem() / 2 ** 30, 1),
  loadavg: loadavg().map((l) => round(l)),
};
writeResultFile('adapters.json', `${JSON.stringify({ machine, ...results }, null, 2)}\n`);

const a = results.audit as Record<'memory' | 'pglite' | 'postgres', AuditFigures>;
const g = results.graph as {
  neo4j: {
    server: string;
    seedSeconds: number;
    seedTargetMet: boolean;
    search: Awaited<ReturnType<typeof timeSearches>>;
  };
  memory: { seedSeconds: number; search: Awaited<ReturnType<typeof timeSearches>> };
};
const auditRow = (name: string, f: AuditFigures) =>
  `| ${name} | ${f.sequential.perSecond} | ${f.sequential.latencyMs.p50} | ${f.sequential.latencyMs.p95} | ${f.concurrent.perSecond} | ${f.chainVerified ? 'yes' : '**NO**'} |`;
const searchRow = (name: string, s: Awaited<ReturnType<typeof timeSearches>>) =>
  `| ${name} | ${s.searches} | ${s.latencyMs.p50} | ${s.latencyMs.p95} | ${s.latencyMs.p99} | ${s.latencyMs.max} | ${s.meanRows} |`;
const md = `# Storage adapters benchmark

${machine.date} · Node ${machine.node} · ${machine.cpus} · ${machine.memoryGiB} GiB · load ${machine.loadavg.join(' ')}

## Audit append throughput (hash-chained, verified afterwards)

${AUDIT_SEQUENTIAL} appends one at a time, then ${AUDIT_CONCURRENT} with ${IN_FLIGHT} in flight (the store writes queued appends in one compare-and-swap statement: group commit).

| store | sequential events/s | latency p50 ms | latency p95 ms | ${IN_FLIGHT} in flight events/s | chain verifies |
| --- | ---: | ---: | ---: | ---: | --- |
${auditRow('PostgreSQL (pg pool of 10)', a.postgres)}
${auditRow('PGlite (in memory)', a.pglite)}
${auditRow('memory (core, reference)', a.memory)}

- PostgreSQL / PGlite: sequential **${round(a.postgres.sequential.perSecond / Math.max(1, a.pglite.sequential.perSecond))}×**, concurrent **${round(a.postgres.concurrent.perSecond / Math.max(1, a.pglite.concurrent.perSecond))}×**

## Graph search, ${ENTITIES.toLocaleString('en-US')} entities

Neo4j: ${g.neo4j.server}, test harness on this machine. Seeded through \`OrgGraph.upsert\` (one org) (batched UNWIND of ${SEED_BATCH}, two batches in flight) in **${g.neo4j.seedSeconds} s** (target < 60 s: ${g.neo4j.seedTargetMet ? 'met' : '**missed**'}); the in-memory store took ${g.memory.seedSeconds} s. Query mix: full names, surnames, 3-letter prefixes, two-word prefixes, a type filter; limit 10.

| store | searches | p50 ms | p95 ms | p99 ms | max ms | mean rows |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${searchRow('Neo4j (full-text index)', g.neo4j.search)}
${searchRow('memory (scan, reference)', g.memory.search)}
`;
writeResultFile('adapters.md', md);
console.log(md);
