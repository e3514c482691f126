import { findDangerousKeys, IntelGraphError, issuesFromZod, type JsonValue } from '@intelgraph/core';
import { z } from 'zod';

/**
 * The signature format tag; bumped if the signed payload ever changes shape.
 *
 * @example
 * ```ts
 * import { SIGNATURE_FORMAT } from '@intelgraph/marketplace';
 * pkg.signature?.format === SIGNATURE_FORMAT;
 * ```
 */
export const SIGNATURE_FORMAT = 'intelgraph-plugin-signature/v1';

/**
 * Limits every package must respect (checked before any hashing).
 *
 * @example
 * ```ts
 * import { PACKAGE_LIMITS } from '@intelgraph/marketplace';
 * if (upload.byteLength > PACKAGE_LIMITS.maxTotalBytes) reply(413);
 * ```
 */
export const PACKAGE_LIMITS = Object.freeze({
  maxFiles: 512,
  maxTotalBytes: 10 * 1024 * 1024,
  maxPathLength: 256,
});

/**
 * The signature block of a package (Grafana-style `MANIFEST`): a SHA-256 of every file, and an ed25519
 * signature over the canonical JSON of `{ format, algorithm, keyId, manifest, files }`.
 */
export interface PackageSignature {
  format: typeof SIGNATURE_FORMAT;
  algorithm: 'ed25519';
  keyId: string;
  /** Path → hex SHA-256 of the file's bytes (strings are hashed as UTF-8). */
  files: Record<string, string>;
  /** Base64 ed25519 signature. */
  signature: string;
}

/** A plugin package: its manifest, its files and (once signed) its signature. */
export interface PluginPackage {
  /** The manifest as JSON (validated against the core manifest schema on verification). */
  manifest: Record<string, unknown>;
  /** Relative path → content. Strings are UTF-8. `manifest.json` and `signature.json` are not files. */
  files: Record<string, string | Uint8Array>;
  signature?: PackageSignature;
}

/** A signed package, as {@link signPluginPackage} returns it. */
export interface SignedPluginPackage extends PluginPackage {
  signature: PackageSignature;
}

const DANGEROUS_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const SAFE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[\w@+.,=-]+(\/[\w@+.,=-]+)*$/;

/**
 * Whether a file path may appear in a package: relative, forward slashes, no `.`/`..` segments, no
 * backslashes or control characters, at most {@link PACKAGE_LIMITS}.maxPathLength characters.
 *
 * @example
 * ```ts
 * import { isSafePackagePath } from '@intelgraph/marketplace';
 * isSafePackagePath('dist/index.js'); // true
 * isSafePackagePath('../etc/passwd'); // false
 * ```
 */
export function isSafePackagePath(path: string): boolean {
  return (
    path.length > 0 &&
    path.length <= PACKAGE_LIMITS.maxPathLength &&
    SAFE_PATH.test(path) &&
    path !== 'manifest.json' &&
    path !== 'signature.json' &&
    !path.split('/').some((segment) => DANGEROUS_SEGMENTS.has(segment))
  );
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Zod schema of a {@link PackageSignature}.
 *
 * @example
 * ```ts
 * import { PackageSignatureSchema } from '@intelgraph/marketplace';
 * PackageSignatureSchema.safeParse(JSON.parse(signatureJson)).success;
 * ```
 */
export const PackageSignatureSchema = z
  .object({
    format: z.literal(SIGNATURE_FORMAT),
    algorithm: z.literal('ed25519'),
    keyId: z.string().regex(/^[0-9a-f]{32}$/),
    files: z.record(z.string().max(PACKAGE_LIMITS.maxPathLength), hex64),
    signature: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/),
  })
  .strict();

/**
 * Bytes of a file: strings are UTF-8.
 *
 * @example
 * ```ts
 * import { fileBytes } from '@intelgraph/marketplace';
 * fileBytes('é').length; // 2
 * ```
 */
export function fileBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}

/**
 * Checks the outer shape of a package (paths, sizes, plain objects) before anything is hashed.
 * Throws `INVALID_INPUT` or `PAYLOAD_TOO_LARGE`.
 *
 * @example
 * ```ts
 * import { assertPackageShape } from '@intelgraph/marketplace';
 * assertPackageShape(JSON.parse(body)); // narrows to PluginPackage or throws
 * ```
 */
export function assertPackageShape(pkg: unknown): asserts pkg is PluginPackage {
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg))
    throw new IntelGraphError('INVALID_INPUT', 'a plugin package must be an object { manifest, files }');
  const { manifest, files } = pkg as { manifest?: unknown; files?: unknown };
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
    throw new IntelGraphError('INVALID_INPUT', 'package manifest must be a JSON object', {
      details: { issues: [{ code: 'invalid_type', path: ['manifest'], message: 'expected an object' }] },
    });
  if (typeof files !== 'object' || files === null || Array.isArray(files))
    throw new IntelGraphError('INVALID_INPUT', 'package files must be an object of path → content', {
      details: { issues: [{ code: 'invalid_type', path: ['files'], message: 'expected an object' }] },
    });
  const paths = Object.keys(files);
  if (paths.length > PACKAGE_LIMITS.maxFiles)
    throw new IntelGraphError(
      'PAYLOAD_TOO_LARGE',
      `a package holds at most ${PACKAGE_LIMITS.maxFiles} files`,
    );
  let total = 0;
  for (const path of paths) {
    if (!isSafePackagePath(path))
      throw new IntelGraphError(
        'INVALID_INPUT',
        `unsafe file path in package: ${JSON.stringify(path.slice(0, 80))}`,
        {
          details: {
            issues: [{ code: 'unsafe_path', path: ['files', path], message: 'not a safe relative path' }],
          },
        },
      );
    const content = (files as Record<string, unknown>)[path];
    if (typeof content === 'string') total += Buffer.byteLength(content);
    else if (content instanceof Uint8Array) total += content.byteLength;
    else
      throw new IntelGraphError('INVALID_INPUT', `file ${path} must be a string or bytes`, {
        details: {
          issues: [{ code: 'invalid_type', path: ['files', path], message: 'expected string or bytes' }],
        },
      });
    if (total > PACKAGE_LIMITS.maxTotalBytes)
      throw new IntelGraphError(
        'PAYLOAD_TOO_LARGE',
        `a package holds at most ${PACKAGE_LIMITS.maxTotalBytes} bytes`,
      );
  }
}

/**
 * Encodes a package as JSON-safe data (file bytes as base64), for storage or HTTP transfer.
 *
 * @example
 * ```ts
 * import { encodePackage, decodePackage } from '@intelgraph/marketplace';
 * const wire = JSON.stringify(encodePackage(pkg));
 * const back = decodePackage(JSON.parse(wire));
 * ```
 */
export function encodePackage(pkg: PluginPackage): JsonValue {
  const files = Object.fromEntries(
    Object.entries(pkg.files).map(([path, content]) => [
      path,
      Buffer.from(fileBytes(content)).toString('base64'),
    ]),
  );
  return {
    manifest: pkg.manifest as JsonValue,
    files,
    ...(pkg.signature ? { signature: pkg.signature as unknown as JsonValue } : {}),
  };
}

const EncodedSchema = z
  .object({
    manifest: z.record(z.string(), z.unknown()),
    files: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/)),
    signature: z.unknown().optional(),
  })
  .strict();

/**
 * Decodes what {@link encodePackage} produced. The result is not yet verified.
 *
 * @example
 * ```ts
 * import { decodePackage, verifyPluginPackage } from '@intelgraph/marketplace';
 * const manifest = await verifyPluginPackage(decodePackage(body), { trustedKeys: [pem] });
 * ```
 */
export function decodePackage(data: unknown): PluginPackage {
  const dangerous = findDangerousKeys(data, 16);
  if (dangerous.length > 0)
    throw new IntelGraphError('INVALID_INPUT', 'encoded package contains forbidden keys', {
      details: { issues: dangerous },
    });
  const r = EncodedSchema.safeParse(data);
  if (!r.success)
    throw new IntelGraphError('INVALID_INPUT', 'not an encoded plugin package', {
      details: { issues: issuesFromZod(r.error) },
    });
  const files = Object.fromEntries(
    Object.entries(r.data.files).map(([path, b64]) => [path, new Uint8Array(Buffer.from(b64, 'base64'))]),
  );
  return {
    manifest: r.data.manifest,
    files,
    ...(r.data.signature === undefined ? {} : { signature: r.data.signature as PackageSignature }),
  };
}
