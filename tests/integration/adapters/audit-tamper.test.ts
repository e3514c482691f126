// Tamper drills on PostgreSQL for the verifiable audit log: a trail signs checkpoints (every 10 events)
// and publishes them to a file witness; an attacker with write access to the database then edits rows;
// `intelgraph-audit export` + `verify` (the real CLI program over the real database) must catch each
// edit and name where. Also: an existing chain migrates forward with its history, and `prove` works
// online (O(log n) node reads) and offline (from an export).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileWitness, runAuditCli } from '@intelgraph/adapters/audit';
import {
  allMigrations,
  createPgAuditStore,
  createPgDatabase,
  migrate,
  type SqlDatabase,
} from '@intelgraph/adapters/postgres';
import { type AuditExportReport, createAuditTrail, createManualClock, sequentialIds } from '@intelgraph/core';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_URL, runSuffix } from '../../support/env.js';
import { openTestPostgres } from '../../support/sql.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const keys = generateKeyPairSync('ed25519');
const T0 = Date.UTC(2026, 11, 6);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ig-audit-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
}

/** A database with 35 signed events (checkpoints at 10, 20, 30 and 35), witnessed to a file. */
async function signedLog(db: SqlDatabase, dir: string, events = 35) {
  const witnessFile = join(dir, 'witness.jsonl');
  const trail = createAuditTrail({
    store: createPgAuditStore(db),
    clock: createManualClock(T0),
    ids: sequentialIds(),
    checkpoints: {
      privateKey: keys.privateKey,
      everyEvents: 10,
      witnesses: [createFileWitness(witnessFile)],
    },
  });
  for (let n = 0; n < events; n++) {
    await trail.record({
      type: 'plugin.run',
      actor: { userId: 'alice', orgId: 'acme' },
      subject: 'plugin:x',
      orgId: 'acme',
      data: { n },
    });
    await trail.settled?.();
  }
  await trail.checkpointer?.checkpoint();
  const pub = join(dir, 'host.pub.pem');
  await writeFile(pub, keys.publicKey.export({ format: 'pem', type: 'spki' }).toString());
  return { witnessFile, pub };
}

async function exportAndVerify(db: SqlDatabase, dir: string, pub: string, extra: string[] = []) {
  const file = join(dir, `export-${runSuffix()}.jsonl`);
  const exported = await cli(['export', '--database-url', PG_URL, '--schema', db.schema, '--out', file]);
  expect(exported.code).toBe(0);
  const verified = await cli(['verify', file, '--public-key', pub, ...extra]);
  return { ...verified, report: JSON.parse(verified.out) as AuditExportReport, file };
}

async function openDb() {
  const opened = await openTestPostgres({ poolSize: 4 });
  cleanups.push(opened.close);
  return opened.db;
}

describe('audit log tamper drills on PostgreSQL', () => {
  it('an intact log verifies, and proves one event online and offline', async () => {
    const db = await openDb();
    const dir = await tempDir();
    const { pub, witnessFile } = await signedLog(db, dir);
    const ok = await exportAndVerify(db, dir, pub, ['--witness', witnessFile]);
    expect(ok.code).toBe(0);
    expect(ok.report).toMatchObject({ ok: true, events: 35, verifiedTreeSize: 35, unsignedTail: 0 });
    expect(ok.report.checkpoints).toBe(8); // 4 stored + the same 4 held by the witness

    const online = await cli([
      'prove',
      '--database-url',
      PG_URL,
      '--schema',
      db.schema,
      '--seq',
      '17',
      '--public-key',
      pub,
    ]);
    expect(online.code).toBe(0);
    expect(JSON.parse(online.out)).toMatchObject({ ok: true, seq: 17, checkpoint: { treeSize: 35 } });
    const offline = await cli(['prove', ok.file, '--seq', '3', '--tree-size', '10', '--public-key', pub]);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.out)).toMatchObject({ ok: true, seq: 3, checkpoint: { treeSize: 10 } });
  });

  it('edit one event row: verify reports the exact index', async () => {
    const db = await openDb();
    const dir = await tempDir();
    const { pub } = await signedLog(db, dir);
    await db.query(`UPDATE ig_audit_events SET event = replace(event, '"n":17', '"n":71') WHERE seq = 17`);
    const r = await exportAndVerify(db, dir, pub);
    expect(r.code).toBe(1);
    expect(r.report.failures[0]).toMatchObject({ kind: 'chain', index: 17, reason: 'hash_mismatch' });
    // The signed roots that cover event 17 fail too; the ones before it still hold.
    expect(r.report.failures.filter((f) => f.kind === 'root_mismatch').map((f) => f.treeSize)).toEqual([
      20, 30, 35,
    ]);
    expect(r.report.verifiedTreeSize).toBe(10);
  });

  it('delete the tail: detected against the last checkpoint', async () => {
    const db = await openDb();
    const dir = await tempDir();
    const { pub } = await signedLog(db, dir);
    await db.query('DELETE FROM ig_audit_events WHERE seq >= 31');
    await db.query(
      'UPDATE ig_audit_head SET seq = 30, hash = (SELECT hash FROM ig_audit_events WHERE seq = 30)',
    );
    const r = await exportAndVerify(db, dir, pub);
    expect(r.code).toBe(1);
    expect(r.report.failures).toEqual([
      expect.objectContaining({ kind: 'truncated', treeSize: 35, source: 'log' }),
    ]);
  });

  it('rewrite the whole log and re-sign nothing: detected by the witness-held checkpoint', async () => {
    const db = await openDb();
    const dir = await tempDir();
    const { pub, witnessFile } = await signedLog(db, dir);
    // The attacker replaces every event with a consistent forged chain and drops what they cannot sign.
    await db.exec(`DELETE FROM ig_audit_events; DELETE FROM ig_audit_checkpoints; DELETE FROM ig_audit_tree_nodes;
      UPDATE ig_audit_head SET seq = -1, hash = repeat('0', 64); UPDATE ig_audit_tree_head SET size = 0;`);
    const forger = createAuditTrail({
      store: createPgAuditStore(db),
      clock: createManualClock(T0),
      ids: sequentialIds(),
    });
    for (let n = 0; n < 35; n++) {
      await forger.record({
        type: 'plugin.run',
        actor: { userId: 'mallory', orgId: 'acme' },
        subject: 'plugin:x',
        orgId: 'acme',
        data: { n },
      });
    }
    const alone = await exportAndVerify(db, dir, pub);
    expect(alone.report).toMatchObject({ ok: true, verifiedTreeSize: 0, unsignedTail: 35 }); // nothing signed covers it
    const witnessed = await exportAndVerify(db, dir, pub, ['--witness', witnessFile]);
    expect(witnessed.code).toBe(1);
    expect(
      witnessed.report.failures.map((f) => (f.kind === 'chain' ? [f.kind] : [f.kind, f.source, f.treeSize])),
    ).toEqual([
      ['root_mismatch', 'witness', 10],
      ['root_mismatch', 'witness', 20],
      ['root_mismatch', 'witness', 30],
      ['root_mismatch', 'witness', 35],
    ]);
  });

  it('swap two events: detected at the first of them', async () => {
    const db = await openDb();
    const dir = await tempDir();
    const { pub } = await signedLog(db, dir);
    await db.exec(`UPDATE ig_audit_events a SET event = b.event FROM ig_audit_events b
      WHERE (a.seq, b.seq) IN ((5, 6), (6, 5))`);
    const r = await exportAndVerify(db, dir, pub);
    expect(r.code).toBe(1);
    expect(r.report.failures[0]).toMatchObject({ kind: 'chain', index: 5 });
  });

  it('an existing chain migrates forward: the tree is computed over its history', async () => {
    const schema = `ig_t_${runSuffix()}`.toLowerCase();
    const db = await createPgDatabase({ connectionString: PG_URL, schema, max: 4 });
    cleanups.push(async () => {
      await db.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
    });
    // A database as it was before the Merkle log: the chain migration only, with events in it.
    await migrate(db, { migrations: allMigrations.filter((m) => m.id !== 'audit_0002_merkle') });
    const old = createAuditTrail({
      store: createPgAuditStore(db),
      clock: createManualClock(T0),
      ids: sequentialIds(),
    });
    for (let n = 0; n < 23; n++) {
      await old.record({
        type: 'plugin.installed',
        actor: null,
        subject: `plugin:${n}`,
        orgId: null,
        data: { n },
      });
    }
    expect((await migrate(db)).applied).toEqual(['audit_0002_merkle']);
    const dir = await tempDir();
    const { pub } = await signedLog(db, dir, 7); // 7 more events, signed
    const r = await exportAndVerify(db, dir, pub);
    expect(r.report).toMatchObject({ ok: true, events: 30, verifiedTreeSize: 30 });
    expect(await old.verify()).toMatchObject({ ok: true, count: 30 });
    expect((await readFile(r.file, 'utf8')).split('\n')[0]).toContain('"seq":0');
  });
});
