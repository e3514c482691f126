import type { ScopedHostApi } from '@intelgraph/capabilities';
import { digestJson, findDangerousKeys, IntelGraphError, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import { type ManifestFacts, manifestFacts, type SandboxContext } from './context.js';
import type { SandboxRunRequest } from './types.js';

// A run request checked before anything runs: its shape, manifest, code size and input (JSON, no
// dangerous keys, within the size limit).

function isScopedHostApi(v: unknown): v is ScopedHostApi {
  const api = v as ScopedHostApi | null;
  return (
    typeof api === 'object' &&
    api !== null &&
    typeof api.call === 'function' &&
    Array.isArray(api.methods) &&
    Array.isArray(api.grantedScopes)
  );
}

const RequestSchema = z
  .object({
    code: z.string().min(1),
    manifest: z.unknown(),
    input: z.unknown().optional(),
    api: z.custom<ScopedHostApi>(isScopedHostApi, 'must be a scoped host API from scopeHostApi()').optional(),
    pluginId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.@:/+-]+$/)
      .optional(),
    signal: z.instanceof(AbortSignal).optional(),
    runId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.:-]+$/)
      .optional(),
    determinism: z
      .object({
        seed: z.string().regex(/^[0-9a-f]{32}$/),
        clockOrigin: z.number().int().min(0).max(8.64e15),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A request that passed every check, with what the checks derived. */
export interface CheckedRequest {
  req: z.infer<typeof RequestSchema>;
  facts: ManifestFacts;
  inputJson: string;
  inputSha256: string;
}

/** Checks a run request; throws `INVALID_INPUT` or `PAYLOAD_TOO_LARGE` for a malformed one. */
export function checkRequest(ctx: SandboxContext, request: SandboxRunRequest): CheckedRequest {
  const { maxCodeBytes, maxInputBytes } = ctx;
  const req = parseInput(RequestSchema, request, 'run request');
  const facts = manifestFacts(ctx, req.manifest);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: short code cannot be over the limit, skip the count.
  const codeBytes = req.code.length > maxCodeBytes / 3 ? Buffer.byteLength(req.code) : req.code.length;
  if (codeBytes > maxCodeBytes) {
    throw new IntelGraphError('PAYLOAD_TOO_LARGE', `plugin code larger than ${maxCodeBytes} bytes`, {
      details: { limit: maxCodeBytes, observed: codeBytes },
    });
  }
  const input = req.input ?? null;
  const dangerous = findDangerousKeys(input, 64);
  if (dangerous.length > 0) {
    throw new IntelGraphError('INVALID_INPUT', `invalid input: ${dangerous[0]?.message}`, {
      details: { issues: dangerous },
    });
  }
  let inputJson: string;
  let inputSha256: string;
  try {
    inputJson = JSON.stringify(input);
    inputSha256 = digestJson(JSON.parse(inputJson));
  } catch (error) {
    throw new IntelGraphError('INVALID_INPUT', 'input must be JSON-serialisable', { cause: error });
  }
  if (Buffer.byteLength(inputJson) > maxInputBytes) {
    throw new IntelGraphError('PAYLOAD_TOO_LARGE', `input larger than ${maxInputBytes} bytes`, {
      details: { limit: maxInputBytes, observed: Buffer.byteLength(inputJson) },
    });
  }
  return { req, facts, inputJson, inputSha256 };
}
