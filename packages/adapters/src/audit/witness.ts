import { appendFile, readFile } from 'node:fs/promises';
import {
  type AuditWitness,
  checkpointExportLine,
  IntelGraphError,
  parseAuditExport,
  type SignedAuditCheckpoint,
} from '@intelgraph/core';

/**
 * A witness that appends each checkpoint as one JSON line to a file (the same line format as
 * `intelgraph-audit export`). Point it at storage the host cannot rewrite (another machine, a WORM
 * bucket mount) for it to add anything.
 *
 * @example
 * ```ts
 * import { createFileWitness } from '@intelgraph/adapters/audit';
 * const witness = createFileWitness('/mnt/witness/audit-checkpoints.jsonl');
 * ```
 */
export function createFileWitness(path: string): AuditWitness {
  if (typeof path !== 'string' || path.length === 0) {
    throw new IntelGraphError('INVALID_INPUT', 'the file witness needs a path');
  }
  return {
    name: `file:${path}`,
    async publish(checkpoint) {
      await appendFile(path, `${checkpointExportLine(checkpoint)}\n`, 'utf8');
    },
  };
}

/**
 * The checkpoints a file witness holds.
 *
 * @example
 * ```ts
 * import { readWitnessFile } from '@intelgraph/adapters/audit';
 * const held = await readWitnessFile('/mnt/witness/audit-checkpoints.jsonl');
 * ```
 */
export async function readWitnessFile(path: string): Promise<SignedAuditCheckpoint[]> {
  return parseAuditExport(await readFile(path, 'utf8')).checkpoints;
}

/** Options of {@link createWebhookWitness}. */
export interface WebhookWitnessOptions {
  url: string;
  /** Extra request headers (for example an authorization header of the witness service). */
  headers?: Record<string, string>;
  /** Default 5000. */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * A witness that POSTs each checkpoint as JSON (`{ checkpoint: {...} }`) to a URL; a non-2xx answer or a
 * timeout fails the publish with `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { createWebhookWitness } from '@intelgraph/adapters/audit';
 * const witness = createWebhookWitness({ url: 'https://witness.example.org/checkpoints' });
 * ```
 */
export function createWebhookWitness(options: WebhookWitnessOptions): AuditWitness {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', 'the webhook witness needs an absolute URL', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new IntelGraphError('INVALID_INPUT', 'the webhook witness URL must be http(s)');
  }
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    name: `webhook:${url.origin}`,
    async publish(checkpoint) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body: checkpointExportLine(checkpoint),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (cause) {
        throw new IntelGraphError('UNAVAILABLE', `witness ${url.origin} is unreachable`, { cause });
      }
      if (!res.ok) {
        throw new IntelGraphError('UNAVAILABLE', `witness ${url.origin} answered ${res.status}`, {
          details: { status: res.status },
        });
      }
    },
  };
}
