import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  type AuditLogStore,
  type AuditPublicKey,
  checkpointExportLine,
  createMerkleNodeReader,
  inclusionProof,
  isIntelGraphError,
  leafHash,
  parseAuditExport,
  type SignedAuditCheckpoint,
  serializeAuditEvent,
  verifyAuditExport,
  verifyCheckpointSignature,
  verifyInclusion,
} from '@intelgraph/core';
import { readWitnessFile } from './witness.js';

/** Where the CLI writes; injected so tests capture output. */
export interface AuditCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** How the CLI reaches a live log (`export`, and `prove --database-url`); injected by tests. */
export interface AuditCliDeps {
  openStore(options: {
    databaseUrl: string;
    schema?: string;
  }): Promise<{ store: AuditLogStore; close(): Promise<void> }>;
}

/** Exit codes: 0 ok, 1 the log does not verify, 2 bad usage or unreadable input. */
export const AUDIT_EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

const USAGE = `Usage: intelgraph-audit <command> [options]

Commands:
  export --database-url URL [--schema S] [--out FILE]
        events and signed checkpoints as JSON lines (events in chain order, then checkpoints)
  verify FILE --public-key PEM [--witness FILE]
        the hash chain, every checkpoint signature, and the Merkle root of the events against every
        checkpoint (the log's own and the witness's); prints the first broken index
  prove (FILE | --database-url URL [--schema S]) --seq N --public-key PEM [--tree-size M]
        the inclusion proof of event N against the checkpoint of M events (default the latest), verified

Verification uses node:crypto and the canonical JSON library only.
Exit codes: 0 ok, 1 the log does not verify, 2 bad usage or unreadable input.
`;

class UsageError extends Error {}

const defaultDeps: AuditCliDeps = {
  async openStore({ databaseUrl, schema }) {
    // The postgres adapter's public entry, loaded only when a database is asked for.
    const { createPgAuditStore, createPgDatabase } = await import('../postgres/index.js');
    const db = await createPgDatabase({
      connectionString: databaseUrl,
      ...(schema ? { schema } : {}),
      max: 2,
    });
    return { store: createPgAuditStore(db), close: () => db.close() };
  },
};

async function readKey(path: string | undefined): Promise<AuditPublicKey> {
  if (!path) throw new UsageError('--public-key is required');
  return readFile(path, 'utf8');
}

async function* exportLines(store: AuditLogStore): AsyncGenerator<string> {
  let afterSeq = -1;
  for (;;) {
    const page = await store.list({ afterSeq, limit: 1000 });
    for (const e of page) yield serializeAuditEvent(e);
    if (page.length < 1000) break;
    afterSeq = page.at(-1)?.seq ?? afterSeq;
  }
  let afterSize = -1;
  for (;;) {
    const page = await store.listCheckpoints({ afterSize, limit: 1000 });
    for (const c of page) yield checkpointExportLine(c);
    if (page.length < 1000) break;
    afterSize = page.at(-1)?.treeSize ?? afterSize;
  }
}

function pickCheckpoint(checkpoints: readonly SignedAuditCheckpoint[], treeSize: number | undefined) {
  const sorted = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);
  const cp = treeSize === undefined ? sorted.at(-1) : sorted.find((c) => c.treeSize === treeSize);
  if (!cp)
    throw new UsageError(
      treeSize === undefined ? 'no checkpoint to prove against' : `no checkpoint of ${treeSize} events`,
    );
  return cp;
}

function intArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`${name} must be a non-negative integer`);
  return Number(value);
}

/**
 * Runs `intelgraph-audit` with the given arguments; returns the exit code.
 *
 * @example
 * ```ts
 * import { runAuditCli } from '@intelgraph/adapters/audit';
 * const code = await runAuditCli(['verify', 'audit.jsonl', '--public-key', 'host.pub.pem'], {
 *   stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 * ```
 */
export async function runAuditCli(
  args: readonly string[],
  io: AuditCliIo,
  deps: AuditCliDeps = defaultDeps,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' },
        schema: { type: 'string' },
        out: { type: 'string' },
        'public-key': { type: 'string' },
        witness: { type: 'string' },
        seq: { type: 'string' },
        'tree-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, file] = positionals;
    if (values.help || !command) {
      io.stdout(USAGE);
      return command || values.help ? AUDIT_EXIT.ok : AUDIT_EXIT.usage;
    }
    if (command === 'export') {
      const url = values['database-url'];
      if (!url) throw new UsageError('export needs --database-url');
      const opened = await deps.openStore({
        databaseUrl: url,
        ...(values.schema ? { schema: values.schema } : {}),
      });
      try {
        const lines: string[] = [];
        for await (const line of exportLines(opened.store)) {
          if (values.out) lines.push(line);
          else io.stdout(`${line}\n`);
        }
        if (values.out) await writeFile(values.out, lines.map((l) => `${l}\n`).join(''), 'utf8');
      } finally {
        await opened.close();
      }
      return AUDIT_EXIT.ok;
    }
    if (command === 'verify') {
      if (!file) throw new UsageError('verify needs the export file');
      const publicKey = await readKey(values['public-key']);
      const parsed = parseAuditExport(await readFile(file, 'utf8'));
      const witnessed = values.witness ? await readWitnessFile(values.witness) : [];
      const report = verifyAuditExport({ ...parsed, publicKey, witnessed });
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      if (!report.ok) {
        for (const f of report.failures) io.stderr(`FAIL ${f.kind}: ${f.message}\n`);
      }
      return report.ok ? AUDIT_EXIT.ok : AUDIT_EXIT.failed;
    }
    if (command === 'prove') {
      const seq = intArg(values.seq, '--seq');
      if (seq === undefined) throw new UsageError('prove needs --seq');
      const treeSize = intArg(values['tree-size'], '--tree-size');
      const publicKey = await readKey(values['public-key']);
      let checkpoint: SignedAuditCheckpoint;
      let leaf: string;
      let proof: string[];
      if (values['database-url']) {
        // Online: O(log n) node reads from the stored tree, never the whole log.
        const opened = await deps.openStore({
          databaseUrl: values['database-url'],
          ...(values.schema ? { schema: values.schema } : {}),
        });
        try {
          const { store } = opened;
          checkpoint = pickCheckpoint(
            treeSize === undefined
              ? [await store.latestCheckpoint()].filter((c) => c !== null)
              : await store.listCheckpoints({ afterSize: treeSize - 1, limit: 1 }),
            treeSize,
          );
          if (seq >= checkpoint.treeSize)
            throw new UsageError(`event ${seq} is not in the checkpoint of ${checkpoint.treeSize} events`);
          const [event] = await store.list({ afterSeq: seq - 1, limit: 1 });
          if (!event || event.seq !== seq) throw new UsageError(`no event ${seq}`);
          leaf = leafHash(serializeAuditEvent(event));
          proof = await inclusionProof(seq, checkpoint.treeSize, (refs) => store.readTreeNodes(refs));
        } finally {
          await opened.close();
        }
      } else {
        if (!file) throw new UsageError('prove needs the export file or --database-url');
        const parsed = parseAuditExport(await readFile(file, 'utf8'));
        checkpoint = pickCheckpoint(parsed.checkpoints, treeSize);
        if (seq >= checkpoint.treeSize || checkpoint.treeSize > parsed.events.length) {
          throw new UsageError(`event ${seq} is not in the checkpoint of ${checkpoint.treeSize} events`);
        }
        const leaves = parsed.events.slice(0, checkpoint.treeSize).map((l) => leafHash(l));
        const atSeq = leaves[seq];
        if (atSeq === undefined) throw new UsageError(`event ${seq} is not in the checkpoint`);
        leaf = atSeq;
        proof = await inclusionProof(seq, checkpoint.treeSize, createMerkleNodeReader(leaves));
      }
      const signed = verifyCheckpointSignature(checkpoint, publicKey);
      const included = verifyInclusion(leaf, seq, checkpoint.treeSize, proof, checkpoint.rootHash);
      io.stdout(
        `${JSON.stringify({ ok: signed && included, seq, leafHash: leaf, proof, checkpoint, signed, included }, null, 2)}\n`,
      );
      return signed && included ? AUDIT_EXIT.ok : AUDIT_EXIT.failed;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) {
      io.stderr(`${err.message}\n\n${USAGE}`);
      return AUDIT_EXIT.usage;
    }
    if (isIntelGraphError(err) || (err instanceof Error && 'code' in err && err.code === 'ENOENT')) {
      io.stderr(`${err.message}\n`);
      return AUDIT_EXIT.usage;
    }
    throw err;
  }
}
