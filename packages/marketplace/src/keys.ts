import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { IntelGraphError } from '@intelgraph/core';

/** An ed25519 key as callers hold it: a `node:crypto` KeyObject or a PEM string. */
export type KeyInput = KeyObject | string;

/** A freshly generated publisher key pair, PEM-encoded. */
export interface PublisherKeyPair {
  /** PKCS#8 PEM. Keep it secret (a CI secret, a KMS); never commit it. */
  privateKeyPem: string;
  /** SPKI PEM: what hosts put in their trust store. */
  publicKeyPem: string;
  /** The id signatures refer to: see {@link keyIdOf}. */
  keyId: string;
}

/**
 * Generates an ed25519 publisher key pair with `node:crypto`.
 *
 * @example
 * ```ts
 * import { generatePublisherKeyPair } from '@intelgraph/marketplace';
 * const { privateKeyPem, publicKeyPem, keyId } = generatePublisherKeyPair();
 * ```
 */
export function generatePublisherKeyPair(): PublisherKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem,
    keyId: keyIdOf(publicKey),
  };
}

function assertEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new IntelGraphError('INVALID_INPUT', `${what} must be an ed25519 key`, {
      details: { keyType: key.asymmetricKeyType ?? null },
    });
  return key;
}

/**
 * Normalises a public key (or a private key, whose public half is taken) to a KeyObject.
 * Throws `INVALID_INPUT` for anything that is not an ed25519 key.
 *
 * @example
 * ```ts
 * import { toPublicKey } from '@intelgraph/marketplace';
 * const key = toPublicKey(publicKeyPem);
 * ```
 */
export function toPublicKey(key: KeyInput): KeyObject {
  try {
    if (typeof key !== 'string')
      return assertEd25519(key.type === 'public' ? key : createPublicKey(key), 'public key');
    return assertEd25519(
      key.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(key)) : createPublicKey(key),
      'public key',
    );
  } catch (e) {
    if (e instanceof IntelGraphError) throw e;
    throw new IntelGraphError('INVALID_INPUT', 'not a readable public key', { cause: e });
  }
}

/**
 * Normalises a private key to a KeyObject; throws `INVALID_INPUT` unless it is an ed25519 private key.
 *
 * @example
 * ```ts
 * import { toPrivateKey } from '@intelgraph/marketplace';
 * const key = toPrivateKey(process.env.PLUGIN_SIGNING_KEY ?? '');
 * ```
 */
export function toPrivateKey(key: KeyInput): KeyObject {
  try {
    const k = typeof key === 'string' ? createPrivateKey(key) : key;
    if (k.type !== 'private') throw new IntelGraphError('INVALID_INPUT', 'a private key is required to sign');
    return assertEd25519(k, 'private key');
  } catch (e) {
    if (e instanceof IntelGraphError) throw e;
    throw new IntelGraphError('INVALID_INPUT', 'not a readable private key', { cause: e });
  }
}

/**
 * The key id: the first 32 hex characters of the SHA-256 of the public key's SPKI DER encoding.
 * Signatures name their key by this id, so a trust store can hold many keys per publisher.
 *
 * @example
 * ```ts
 * import { keyIdOf } from '@intelgraph/marketplace';
 * keyIdOf(publicKeyPem); // 'a3f1…' (32 hex characters)
 * ```
 */
export function keyIdOf(key: KeyInput): string {
  const der = toPublicKey(key).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}

/**
 * The SPKI PEM of a public key (or of the public half of a private key).
 *
 * @example
 * ```ts
 * import { publicKeyPem } from '@intelgraph/marketplace';
 * const pem = publicKeyPem(privateKeyPem);
 * ```
 */
export function publicKeyPem(key: KeyInput): string {
  return toPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}
