import { canonicalize } from 'json-canonicalize';
import { type AuditBreakReason, verifyAuditChain } from './audit.js';
import { type AuditPublicKey, type SignedAuditCheckpoint, verifyCheckpointSignature } from './checkpoint.js';
import { EMPTY_TREE_ROOT, leafHash, merkleAppend, nodeHash } from './merkle.js';

/** What an export holds: the events' canonical JSON lines, in order, and the signed checkpoints. */
export interface AuditExport {
  events: string[];
  checkpoints: SignedAuditCheckpoint[];
}

/** Input of {@link verifyAuditExport}. */
export interface VerifyAuditExportInput extends AuditExport {
  /** The host's public key (PEM, SPKI DER or a KeyObject). */
  publicKey: AuditPublicKey;
  /** Checkpoints a witness kept: they must verify against the same log, which must be at least as long. */
  witnessed?: readonly SignedAuditCheckpoint[];
}

/** One reason an export does not verify. */
export type AuditExportFailure =
  | { kind: 'chain'; index: number; reason: AuditBreakReason; message: string }
  | { kind: 'signature'; treeSize: number; source: 'log' | 'witness'; message: string }
  | { kind: 'truncated'; treeSize: number; source: 'log' | 'witness'; message: string }
  | { kind: 'root_mismatch'; treeSize: number; source: 'log' | 'witness'; message: string };

/** The result of {@link verifyAuditExport}. */
export interface AuditExportReport {
  ok: boolean;
  events: number;
  checkpoints: number;
  /** The largest tree size whose signed root matched the events (0 when none). */
  verifiedTreeSize: number;
  /** Events after the last verified checkpoint: chained, but no signed root covers them yet. */
  unsignedTail: number;
  failures: AuditExportFailure[];
}

/**
 * Splits an `intelgraph-audit export` (JSON lines) into event lines and checkpoints. Event lines are kept
 * byte for byte, since the chain check rejects any line that is not exactly canonical.
 *
 * @example
 * ```ts
 * import { parseAuditExport } from '@intelgraph/core';
 * const { events, checkpoints } = parseAuditExport(readFileSync('audit.jsonl', 'utf8'));
 * ```
 */
export function parseAuditExport(text: string): AuditExport {
  const events: string[] = [];
  const checkpoints: SignedAuditCheckpoint[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      events.push(line); // the chain check reports it as unparseable, at its index
      continue;
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'checkpoint' in parsed) {
      checkpoints.push((parsed as { checkpoint: SignedAuditCheckpoint }).checkpoint);
    } else events.push(line);
  }
  return { events, checkpoints };
}

/**
 * The JSON line of a checkpoint in an export.
 *
 * @example
 * ```ts
 * import { checkpointExportLine } from '@intelgraph/core';
 * out.write(`${checkpointExportLine(signed)}\n`);
 * ```
 */
export function checkpointExportLine(checkpoint: SignedAuditCheckpoint): string {
  const { treeSize, rootHash, time, keyId, signature } = checkpoint;
  return canonicalize({ checkpoint: { keyId, rootHash, signature, time, treeSize } });
}

/**
 * Verifies a whole export offline: the hash chain (the first broken index), every checkpoint's ed25519
 * signature, and the RFC 9162 root of the first `treeSize` events against every signed root, the log's
 * own and a witness's. A deleted tail shows as `truncated`, a rewritten log as `root_mismatch`.
 *
 * @example
 * ```ts
 * import { parseAuditExport, verifyAuditExport } from '@intelgraph/core';
 * const report = verifyAuditExport({ ...parseAuditExport(text), publicKey: pem });
 * if (!report.ok) console.error(report.failures);
 * ```
 */
export function verifyAuditExport(input: VerifyAuditExportInput): AuditExportReport {
  const failures: AuditExportFailure[] = [];
  const chain = verifyAuditChain(input.events);
  if (!chain.ok)
    failures.push({ kind: 'chain', index: chain.index, reason: chain.reason, message: chain.message });

  const all = [
    ...input.checkpoints.map((c) => ({ c, source: 'log' as const })),
    ...(input.witnessed ?? []).map((c) => ({ c, source: 'witness' as const })),
  ];
  const toCheck: typeof all = [];
  for (const item of all) {
    if (!verifyCheckpointSignature(item.c, input.publicKey)) {
      failures.push({
        kind: 'signature',
        treeSize: Number(item.c?.treeSize),
        source: item.source,
        message: `checkpoint of ${item.c?.treeSize} events (${item.source}) is not signed by this key`,
      });
    } else if (item.c.treeSize > input.events.length) {
      failures.push({
        kind: 'truncated',
        treeSize: item.c.treeSize,
        source: item.source,
        message: `a signed checkpoint covers ${item.c.treeSize} events; the log has ${input.events.length}`,
      });
    } else toCheck.push(item);
  }

  // One pass over the events: grow the tree and read its root at each checkpointed size.
  const sizes = [...new Set(toCheck.map((t) => t.c.treeSize))].sort((a, b) => a - b);
  const roots = new Map<number, string>();
  let size = 0;
  let frontier: string[] = [];
  for (const target of sizes) {
    const grown = merkleAppend(
      size,
      frontier,
      input.events.slice(size, target).map((line) => leafHash(line)),
    );
    size = target;
    frontier = grown.frontier;
    roots.set(target, foldFrontier(frontier));
  }
  let verifiedTreeSize = 0;
  for (const { c, source } of toCheck) {
    if (roots.get(c.treeSize) !== c.rootHash) {
      failures.push({
        kind: 'root_mismatch',
        treeSize: c.treeSize,
        source,
        message: `the first ${c.treeSize} events do not have the signed root (${source} checkpoint)`,
      });
    } else verifiedTreeSize = Math.max(verifiedTreeSize, c.treeSize);
  }
  return {
    ok: failures.length === 0,
    events: input.events.length,
    checkpoints: all.length,
    verifiedTreeSize,
    unsignedTail: input.events.length - verifiedTreeSize,
    failures,
  };
}

function foldFrontier(frontier: readonly string[]): string {
  // The same fold as treeRoot over perfect subtrees.
  let acc = frontier[frontier.length - 1] ?? EMPTY_TREE_ROOT;
  for (let i = frontier.length - 2; i >= 0; i--) acc = nodeHash(frontier[i] as string, acc);
  return acc;
}
