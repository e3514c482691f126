// Verifiable audit log benchmark (PostgreSQL):
//  - proof generation on a log of AUDIT_BENCH_EVENTS events (default 1,000,000; target: inclusion p95
//    <= 10 ms). The log is built by bulk insert (events linked in memory, Merkle nodes computed with
//    merkleAppend, both written with unnest in chunks), then checkpointed; proofs read O(log n) stored
//    nodes. Every timed proof is also verified against the signed root.
//  - audit appends per second, 64 in flight, today's chain alone against the chain with checkpoints
//    every 1,000 events (tree grown and checkpoint signed in the background by the trail).
// Needs PostgreSQL on 127.0.0.1:5432.
// Run: node --no-node-snapshot --conditions=@intelgraph/source --import tsx bench/audit.bench.ts
// Reduced size: AUDIT_BENCH_EVENTS=100000 AUDIT_BENCH_APPENDS=2000 node ... bench/audit.bench.ts
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import {
  createPgAuditStore,
  createPgDatabase,
  migrate,
  type SqlDatabase,
} from '@intelgraph/adapters/postgres';
import {
  type AuditEvent,
  type AuditEventInput,
  createAuditCheckpointer,
  createAuditTrail,
  leafHash,
  linkAuditEvent,
  merkleAppend,
  serializeAuditEvent,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '@intelgraph/core';
import pg from 'pg';
import { writeResultFile } from './support/report.js';

const PG_URL = process.env.IG_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = Number(process.env.AUDIT_BENCH_EVENTS ?? 1_000_000);
const PROOFS = Number(process.env.AUDIT_BENCH_PROOFS ?? 1_000);
const APPENDS = Number(process.env.AUDIT_BENCH_APPENDS ?? 5_000);
const IN_FLIGHT = 64;
const CHUNK = 10_000;

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
/** mulberry32: a small seeded PRNG, so every run proves the same events. */
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

async function freshSchema(): Promise<{ db: SqlDatabase; drop(): Promise<void> }> {
  const schema = `ig_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const db = await createPgDatabase({ connectionString: PG_URL, schema, max: 8 });
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
    },
  };
}

/** Bulk-builds a signed-ready log of `n` events: events and Merkle nodes inserted in chunks. */
async function bulkBuild(db: SqlDatabase, n: number): Promise<number> {
  const started = performance.now();
  let previous: AuditEvent | null = null;
  let frontier: string[] = [];
  for (let start = 0; start < n; start += CHUNK) {
    const events: AuditEvent[] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      previous = linkAuditEvent(previous, auditInput(i));
      events.push(previous);
    }
    const lines = events.map(serializeAuditEvent);
    const grown = merkleAppend(
      start,
      frontier,
      lines.map((l) => leafHash(l)),
    );
    frontier = grown.frontier;
    await db.query(
      `INSERT INTO ig_audit_events (seq, id, at, type, subject, org_id, prev_hash, hash, event)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::text[], $9::text[])`,
      [
        events.map((e) => e.seq),
        events.map((e) => e.id),
        events.map((e) => e.at),
        events.map((e) => e.type),
        events.map((e) => e.subject),
        events.map((e) => e.orgId),
        events.map((e) => e.prevHash),
        events.map((e) => e.hash),
        lines,
      ],
    );
    await db.query(
      `INSERT INTO ig_audit_tree_nodes (level, idx, hash)
       SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[])`,
      [grown.nodes.map((x) => x.level), grown.nodes.map((x) => x.index), grown.nodes.map((x) => x.hash)],
    );
  }
  if (previous) {
    await db.query('UPDATE ig_audit_head SET seq = $1, hash = $2 WHERE id = 1', [
      previous.seq,
      previous.hash,
    ]);
    await db.query('UPDATE ig_audit_tree_head SET size = $1 WHERE id = 1', [n]);
  }
  await db.exec('ANALYZE ig_audit_tree_nodes');
  return (performance.now() - started) / 1000;
}

async function proofs() {
  const { db, drop } = await freshSchema();
  try {
    const buildSeconds = await bulkBuild(db, EVENTS);
    const store = createPgAuditStore(db);
    const cp = createAuditCheckpointer({ store, privateKey: generateKeyPairSync('ed25519').privateKey });
    await cp.syncTree();
    // The root at half the log (what an earlier checkpoint signed), then the full checkpoint.
    const halfSize = Math.floor(EVENTS / 2);
    const half = {
      treeSize: halfSize,
      rootHash: await treeRoot(halfSize, (refs) => store.readTreeNodes(refs)),
    };
    const full = await cp.checkpoint();
    const rand = seeded(38);
    const inclusion: number[] = [];
    let verified = 0;
    for (let i = 0; i < PROOFS; i++) {
      const seq = Math.floor(rand() * EVENTS);
      const t = performance.now();
      const p = await cp.proveInclusion(seq, full.treeSize);
      inclusion.push(performance.now() - t);
      if (verifyInclusion(p.leafHash, seq, full.treeSize, p.proof, full.rootHash)) verified++;
    }
    const consistency: number[] = [];
    let consistent = 0;
    for (let i = 0; i < Math.min(PROOFS, 200); i++) {
      const t = performance.now();
      const c = await cp.proveConsistency(half.treeSize, full.treeSize);
      consistency.push(performance.now() - t);
      if (verifyConsistency(half.treeSize, full.treeSize, c, half.rootHash, full.rootHash)) consistent++;
    }
    return {
      events: EVENTS,
      buildSeconds: round(buildSeconds, 1),
      inclusion: {
        proofs: PROOFS,
        verified,
        latencyMs: summary(inclusion),
        targetMet:
          pct(
            [...inclusion].sort((a, b) => a - b),
            0.95,
          ) <= 10,
      },
      consistency: { proofs: consistency.length, verified: consistent, latencyMs: summary(consistency) },
    };
  } finally {
    await drop();
  }
}

async function appends(withCheckpoints: boolean) {
  const { db, drop } = await freshSchema();
  try {
    const store = createPgAuditStore(db);
    const errors: unknown[] = [];
    const trail = createAuditTrail({
      store,
      ...(withCheckpoints
        ? {
            checkpoints: {
              privateKey: generateKeyPairSync('ed25519').privateKey,
              everyEvents: 1_000,
              onError: (err: unknown) => errors.push(err),
            },
          }
        : {}),
    });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < APPENDS) {
          const n = next++;
          const input = auditInput(n);
          await trail.record({
            type: input.type,
            actor: input.actor,
            subject: input.subject,
            orgId: input.orgId,
            data: input.data,
          });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await trail.settled?.();
    const checkpoints = withCheckpoints ? (await store.listCheckpoints()).length : 0;
    const chain = await trail.verify();
    return {
      events: APPENDS,
      perSecond: Math.round(APPENDS / seconds),
      checkpoints,
      chainVerified: chain.ok,
      errors: errors.length,
    };
  } finally {
    await drop();
  }
}

const results = {
  proofs: await proofs(),
  appends: { chain: await appends(false), checkpointed: await appends(true) },
};
const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  memoryGiB: round(totalmem() / 2 ** 30, 1),
  loadavg: loadavg().map((l) => round(l)),
};
writeResultFile('audit.json', `${JSON.stringify({ machine, ...results }, null, 2)}\n`);
const p = results.proofs;
const a = results.appends;
const md = `# Verifiable audit log benchmark (PostgreSQL)

${machine.date} · Node ${machine.node} · ${machine.cpus} · ${machine.memoryGiB} GiB · load ${machine.loadavg.join(' ')}

## Proof generation on a log of ${p.events.toLocaleString('en')} events (bulk-built in ${p.buildSeconds} s)
| proof | proofs | verified | p50 ms | p95 ms | p99 ms | max ms |
| --- | --- | --- | --- | --- | --- | --- |
| inclusion (random event, latest checkpoint) | ${p.inclusion.proofs} | ${p.inclusion.verified} | ${p.inclusion.latencyMs.p50} | ${p.inclusion.latencyMs.p95} | ${p.inclusion.latencyMs.p99} | ${p.inclusion.latencyMs.max} |
| consistency (half → full) | ${p.consistency.proofs} | ${p.consistency.verified} | ${p.consistency.latencyMs.p50} | ${p.consistency.latencyMs.p95} | ${p.consistency.latencyMs.p99} | ${p.consistency.latencyMs.max} |

Inclusion p95 target ≤ 10 ms: ${p.inclusion.targetMet ? 'met' : '**not met**'}.

## Audit appends per second (${IN_FLIGHT} in flight)
| log | events | appends/s | checkpoints | chain verified | checkpoint errors |
| --- | --- | --- | --- | --- | --- |
| hash chain (today) | ${a.chain.events} | ${a.chain.perSecond} | – | ${a.chain.chainVerified ? 'yes' : '**NO**'} | – |
| chain + Merkle tree + checkpoint every 1,000 | ${a.checkpointed.events} | ${a.checkpointed.perSecond} | ${a.checkpointed.checkpoints} | ${a.checkpointed.chainVerified ? 'yes' : '**NO**'} | ${a.checkpointed.errors} |
`;
writeResultFile('audit.md', md);
console.log(md);
