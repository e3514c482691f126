// Signed checkpoints of the Merkle audit log. Imports node:crypto and the canonical JSON library only,
// so an offline verifier needs nothing else of the framework.
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';

/** What a checkpoint commits to: the first `treeSize` events of the log have RFC 9162 root `rootHash`. */
export interface AuditCheckpoint {
  treeSize: number;
  rootHash: string;
  /** ISO-8601 time the checkpoint was made. */
  time: string;
}

/** A checkpoint with the ed25519 signature of the key `keyId` over {@link checkpointSigningBytes}. */
export interface SignedAuditCheckpoint extends AuditCheckpoint {
  /** SHA-256 (hex) of the signer's public key in SPKI DER form. */
  keyId: string;
  /** Base64 ed25519 signature. */
  signature: string;
}

/** A public key as a `KeyObject`, PEM text or SPKI DER bytes. */
export type AuditPublicKey = KeyObject | string | Uint8Array;

const CHECKPOINT_KIND = 'intelgraph.audit.checkpoint/v1';

/**
 * The exact bytes a checkpoint signature covers: the RFC 8785 canonical JSON of the checkpoint with a
 * domain-separating `kind`, so a signature over anything else can never pass for a checkpoint.
 *
 * @example
 * ```ts
 * import { checkpointSigningBytes } from '@intelgraph/core';
 * checkpointSigningBytes({ treeSize: 1, rootHash: 'ab…', time: '2026-12-06T00:00:00.000Z' });
 * ```
 */
export function checkpointSigningBytes(checkpoint: AuditCheckpoint): Buffer {
  const { treeSize, rootHash, time } = checkpoint;
  return Buffer.from(canonicalize({ kind: CHECKPOINT_KIND, rootHash, time, treeSize }), 'utf8');
}

function toPublicKey(key: AuditPublicKey): KeyObject {
  if (typeof key === 'string') return createPublicKey(key);
  if (key instanceof Uint8Array)
    return createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' });
  return key.type === 'private' ? createPublicKey(key) : key;
}

/**
 * The id of a public key: SHA-256 (hex) of its SPKI DER encoding.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from 'node:crypto';
 * import { auditKeyId } from '@intelgraph/core';
 * auditKeyId(generateKeyPairSync('ed25519').publicKey); // 64 hex characters
 * ```
 */
export function auditKeyId(publicKey: AuditPublicKey): string {
  const der = toPublicKey(publicKey).export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Signs a checkpoint with an ed25519 private key.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from 'node:crypto';
 * import { signCheckpoint } from '@intelgraph/core';
 * const { privateKey } = generateKeyPairSync('ed25519');
 * const signed = signCheckpoint({ treeSize: 8, rootHash, time: new Date().toISOString() }, privateKey);
 * ```
 */
export function signCheckpoint(checkpoint: AuditCheckpoint, privateKey: KeyObject): SignedAuditCheckpoint {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('checkpoints are signed with an ed25519 private key');
  }
  const signature = sign(null, checkpointSigningBytes(checkpoint), privateKey).toString('base64');
  return {
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    time: checkpoint.time,
    keyId: auditKeyId(privateKey),
    signature,
  };
}

/**
 * Whether a checkpoint carries a valid ed25519 signature of `publicKey` (and names that key). Never throws
 * on malformed input.
 *
 * @example
 * ```ts
 * import { verifyCheckpointSignature } from '@intelgraph/core';
 * verifyCheckpointSignature(signed, publicKeyPem); // true
 * ```
 */
export function verifyCheckpointSignature(
  checkpoint: SignedAuditCheckpoint,
  publicKey: AuditPublicKey,
): boolean {
  try {
    const key = toPublicKey(publicKey);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) return false;
    if (!/^[0-9a-f]{64}$/.test(checkpoint.rootHash) || typeof checkpoint.time !== 'string') return false;
    if (checkpoint.keyId !== auditKeyId(key)) return false;
    return verify(null, checkpointSigningBytes(checkpoint), key, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Where checkpoints are published so that someone other than the host holds them: a file, a webhook,
 * another organisation. A rewritten log then fails against the checkpoint the witness kept.
 *
 * @example
 * ```ts
 * const witness: AuditWitness = { async publish(cp) { await fetch(url, { method: 'POST', body: JSON.stringify(cp) }); } };
 * ```
 */
export interface AuditWitness {
  /** A short name for logs and errors. */
  readonly name: string;
  publish(checkpoint: SignedAuditCheckpoint): Promise<void>;
}
