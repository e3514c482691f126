import { type KeyObject, sign, verify } from 'node:crypto';
import {
  canonicalJson,
  findDangerousKeys,
  IntelGraphError,
  type PluginManifest,
  type PublisherKeyStatus,
  parseManifest,
  sha256Hex,
} from '@intelgraph/core';
import { type KeyInput, keyIdOf, toPrivateKey, toPublicKey } from './keys.js';
import {
  assertPackageShape,
  fileBytes,
  type PackageSignature,
  PackageSignatureSchema,
  type PluginPackage,
  SIGNATURE_FORMAT,
  type SignedPluginPackage,
} from './package.js';

/** Why a signature check failed; carried in `details.reason` of the `SIGNATURE_INVALID` error. */
export type SignatureFailure =
  | 'missing_signature'
  | 'malformed_signature'
  | 'unknown_key'
  | 'key_revoked'
  | 'key_retired'
  | 'bad_signature'
  | 'file_modified'
  | 'file_added'
  | 'file_missing'
  | 'publisher_mismatch';

/** What a key resolver knows about a key id. */
export interface ResolvedKey {
  key: KeyObject;
  publisherId?: string;
  status?: PublisherKeyStatus;
}

/** Looks up a key id (a trust store, or a fixed list of trusted keys). */
export type KeyResolver = (keyId: string) => Promise<ResolvedKey | null> | ResolvedKey | null;

/** Options of {@link verifyPluginPackage}. */
export interface VerifyPackageOptions {
  /** Public keys (KeyObjects or PEM) trusted to sign. */
  trustedKeys?: readonly KeyInput[];
  /** A resolver consulted after `trustedKeys`, e.g. `trust.resolver()` of a trust store. */
  resolveKey?: KeyResolver;
}

/** Everything learned while verifying a package. */
export interface VerifiedPackage {
  manifest: PluginManifest;
  keyId: string;
  publisherId: string | null;
  keyStatus: PublisherKeyStatus | null;
  /** SHA-256 of the signed payload: identifies these exact bytes. */
  packageDigest: string;
  /** SHA-256 of the entry file. */
  codeSha256: string;
  /** The entry file's source (UTF-8). */
  code: string;
  files: Record<string, Uint8Array>;
}

function invalid(reason: SignatureFailure, message: string, details: Record<string, unknown> = {}): never {
  throw new IntelGraphError('SIGNATURE_INVALID', message, { details: { reason, ...details } });
}

function signedPayload(
  manifest: Record<string, unknown>,
  keyId: string,
  files: Record<string, string>,
): string {
  return canonicalJson({ format: SIGNATURE_FORMAT, algorithm: 'ed25519', keyId, manifest, files });
}

function hashFiles(files: PluginPackage['files']): Record<string, string> {
  return Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((path) => [path, sha256Hex(fileBytes(files[path] as string | Uint8Array))]),
  );
}

/**
 * Signs a package: hashes every file with SHA-256 and signs the canonical JSON of the manifest and
 * those hashes with an ed25519 private key. The manifest is validated first (`INVALID_INPUT`), and its
 * `entry` must be one of the files.
 *
 * @example
 * ```ts
 * import { generatePublisherKeyPair, signPluginPackage } from '@intelgraph/marketplace';
 * const { privateKeyPem } = generatePublisherKeyPair();
 * const pkg = await signPluginPackage(
 *   { manifest: { name: 'hello', version: '1.0.0', entry: 'index.js' }, files: { 'index.js': 'exports.run = () => 1' } },
 *   privateKeyPem,
 * );
 * pkg.signature.files['index.js']; // hex SHA-256
 * ```
 */
export async function signPluginPackage(
  pkg: PluginPackage,
  privateKey: KeyInput,
): Promise<SignedPluginPackage> {
  assertPackageShape(pkg);
  const dangerous = findDangerousKeys(pkg.manifest, 16);
  if (dangerous.length > 0)
    throw new IntelGraphError('INVALID_INPUT', 'manifest contains forbidden keys', {
      details: { issues: dangerous },
    });
  const manifest = parseManifest(pkg.manifest);
  if (!Object.hasOwn(pkg.files, manifest.entry))
    throw new IntelGraphError('INVALID_INPUT', `the entry file ${manifest.entry} is not in the package`, {
      details: {
        issues: [{ code: 'missing_entry', path: ['manifest', 'entry'], message: 'not among the files' }],
      },
    });
  const key = toPrivateKey(privateKey);
  const keyId = keyIdOf(key);
  const files = hashFiles(pkg.files);
  const manifestJson = JSON.parse(canonicalJson(pkg.manifest)) as Record<string, unknown>;
  const signature = sign(null, Buffer.from(signedPayload(manifestJson, keyId, files)), key).toString(
    'base64',
  );
  const block: PackageSignature = { format: SIGNATURE_FORMAT, algorithm: 'ed25519', keyId, files, signature };
  return { manifest: manifestJson, files: { ...pkg.files }, signature: block };
}

/**
 * Verifies a package and returns everything learned (see {@link verifyPluginPackage} for the rules).
 *
 * @example
 * ```ts
 * import { verifyPluginPackageDetails } from '@intelgraph/marketplace';
 * const { manifest, keyId, codeSha256 } = await verifyPluginPackageDetails(pkg, { trustedKeys: [pem] });
 * ```
 */
export async function verifyPluginPackageDetails(
  pkg: unknown,
  options: VerifyPackageOptions = {},
): Promise<VerifiedPackage> {
  assertPackageShape(pkg);
  const raw = (pkg as { signature?: unknown }).signature;
  if (raw === undefined || raw === null) invalid('missing_signature', 'the package is not signed');
  const parsed = PackageSignatureSchema.safeParse(raw);
  if (!parsed.success) invalid('malformed_signature', 'the package signature is malformed');
  const sig = parsed.data;

  let resolved: ResolvedKey | null = null;
  for (const k of options.trustedKeys ?? []) {
    const key = toPublicKey(k);
    if (keyIdOf(key) === sig.keyId) {
      resolved = { key };
      break;
    }
  }
  if (!resolved && options.resolveKey) resolved = await options.resolveKey(sig.keyId);
  if (!resolved)
    invalid(
      'unknown_key',
      `the package is signed by key ${sig.keyId}, which is not trusted here: trust the publisher's public key first (createExtensionHost({ trust: [{ publisher, publicKey }] }), marketplace.trustKey(), or intelgraph-plugin verify --key)`,
      { keyId: sig.keyId },
    );
  if (resolved.status === 'revoked')
    invalid('key_revoked', `the signing key ${sig.keyId} has been revoked`, { keyId: sig.keyId });

  // The manifest is signed in canonical form; findDangerousKeys keeps prototype keys out of canonicalJson.
  const dangerous = findDangerousKeys(pkg.manifest, 16);
  if (dangerous.length > 0) invalid('bad_signature', 'the manifest contains forbidden keys');
  const payload = signedPayload(pkg.manifest, sig.keyId, sig.files);
  const ok = verify(null, Buffer.from(payload), resolved.key, Buffer.from(sig.signature, 'base64'));
  if (!ok) invalid('bad_signature', 'the signature does not match the manifest and file hashes');

  for (const path of Object.keys(pkg.files))
    if (!Object.hasOwn(sig.files, path))
      invalid('file_added', `file ${path} is not covered by the signature`, { path });
  for (const [path, digest] of Object.entries(sig.files)) {
    const content = Object.hasOwn(pkg.files, path) ? pkg.files[path] : undefined;
    if (content === undefined) invalid('file_missing', `signed file ${path} is missing`, { path });
    if (sha256Hex(fileBytes(content)) !== digest)
      invalid('file_modified', `file ${path} has been modified`, { path });
  }

  const manifest = parseManifest(pkg.manifest);
  if (
    resolved.publisherId !== undefined &&
    manifest.publisher !== undefined &&
    manifest.publisher !== resolved.publisherId
  )
    invalid(
      'publisher_mismatch',
      `the manifest names publisher ${manifest.publisher} but the key belongs to ${resolved.publisherId}`,
    );
  const entry = pkg.files[manifest.entry];
  if (entry === undefined)
    throw new IntelGraphError('INVALID_INPUT', `the entry file ${manifest.entry} is not in the package`);
  const files = Object.fromEntries(Object.entries(pkg.files).map(([p, c]) => [p, fileBytes(c)]));
  const entryBytes = fileBytes(entry);
  return {
    manifest,
    keyId: sig.keyId,
    publisherId: resolved.publisherId ?? null,
    keyStatus: resolved.status ?? null,
    packageDigest: sha256Hex(payload),
    codeSha256: sha256Hex(entryBytes),
    code: new TextDecoder().decode(entryBytes),
    files,
  };
}

/**
 * Verifies a signed package and returns its validated manifest. Throws `SIGNATURE_INVALID`
 * (with `details.reason`) when the signature is missing, malformed or from an unknown or revoked key,
 * when the signature does not match, or when a file was modified, added or removed.
 *
 * @example
 * ```ts
 * import { verifyPluginPackage } from '@intelgraph/marketplace';
 * const manifest = await verifyPluginPackage(pkg, { trustedKeys: [publisherPublicKey] });
 * manifest.name; // 'sample-enricher'
 * ```
 */
export async function verifyPluginPackage(
  pkg: unknown,
  options: VerifyPackageOptions = {},
): Promise<PluginManifest> {
  return (await verifyPluginPackageDetails(pkg, options)).manifest;
}
