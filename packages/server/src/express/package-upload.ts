import { IntelGraphError } from '@intelgraph/core';
import { decodePackage, type PluginPackage, unpackTarball } from '@intelgraph/marketplace';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

// What `intelgraph-plugin build` writes is a gzipped tarball; curl's `--data-binary` without `-H` labels it
// `application/x-www-form-urlencoded`, so that type is read as bytes too (the gzip magic decides).
const TARBALL_TYPES = [
  'application/gzip',
  'application/x-gzip',
  'application/x-tar+gzip',
  'application/x-compressed-tar',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
];

/**
 * Body parsing for the package upload route: the author kit's `.tgz` as raw bytes, or the JSON wire
 * format of `encodePackage`. Anything else is refused with HTTP 415 before a byte is buffered.
 */
export function packageBodyParsers(limit: string): RequestHandler[] {
  const json = express.json({ limit, type: ['application/json', 'application/*+json'] });
  const raw = express.raw({ limit, type: () => true });
  return [
    (req: Request, _res: Response, next: NextFunction) => {
      if (
        !req.headers['content-type'] ||
        req.is(['application/json', 'application/*+json', ...TARBALL_TYPES])
      ) {
        next();
        return;
      }
      next(
        new IntelGraphError(
          'INVALID_INPUT',
          `unsupported content type ${JSON.stringify(String(req.headers['content-type']).slice(0, 80))}: send the .tgz as application/gzip or the encoded package as application/json`,
          { details: { reason: 'unsupported_media_type', accepted: ['application/json', ...TARBALL_TYPES] } },
        ),
      );
    },
    (req, res, next) =>
      req.is(['application/json', 'application/*+json']) ? json(req, res, next) : raw(req, res, next),
  ];
}

/** The uploaded body as a package: a gzipped tarball (sniffed by its magic bytes) or `encodePackage` JSON. */
export function packageFromBody(body: unknown): PluginPackage {
  if (body instanceof Uint8Array) {
    if (body.byteLength >= 2 && body[0] === 0x1f && body[1] === 0x8b) return unpackTarball(body);
    throw new IntelGraphError(
      'INVALID_INPUT',
      'the body is neither a gzipped tarball (intelgraph-plugin build) nor JSON (encodePackage)',
      { details: { reason: 'not_a_package' } },
    );
  }
  return decodePackage(body);
}
