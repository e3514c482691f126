import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { IntelGraphError, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import { createEgressGuard, type EgressGuard, type EgressGuardOptions, type EgressTarget } from './egress.js';
import type { HostMethodSpec } from './host-api.js';
import { isScope } from './scope.js';

const FetchInputSchema = z
  .object({
    url: z.string().min(1).max(4096),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
        z
          .string()
          .max(4096)
          .regex(/^[^\r\n]*$/),
      )
      .optional(),
    body: z.string().max(1_048_576).optional(),
  })
  .strict();

/** What a plugin passes to `api.net.fetch`. */
export type NetFetchInput = z.input<typeof FetchInputSchema>;

/** What `api.net.fetch` returns: redirects are not followed, bodies are text. */
export interface NetFetchResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Options of {@link netFetchMethod}. */
export interface NetFetchOptions extends EgressGuardOptions {
  /** A ready guard (otherwise one is built from the other options). */
  guard?: EgressGuard;
  /** Response bodies larger than this fail with `PAYLOAD_TOO_LARGE`. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Per-request timeout. Default 10 s (the run's wall budget also aborts it). */
  timeoutMs?: number;
}

const DROPPED_HEADERS = new Set([
  'host',
  'connection',
  'proxy-authorization',
  'transfer-encoding',
  'upgrade',
]);

function pinnedLookup(target: EgressTarget): LookupFunction {
  return (_hostname, options, callback) => {
    const all = typeof options === 'object' && options !== null && 'all' in options && options.all === true;
    const first = target.addresses[0];
    if (!first) {
      callback(new Error('no vetted address'), '', 4);
      return;
    }
    if (all)
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, target.addresses);
    else callback(null, first.address, first.family);
  };
}

function send(
  target: EgressTarget,
  input: z.output<typeof FetchInputSchema>,
  options: { maxBytes: number; timeoutMs: number; signal: AbortSignal },
): Promise<NetFetchResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.headers ?? {}))
      if (!DROPPED_HEADERS.has(k.toLowerCase())) headers[k] = v;
    const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      target.url,
      {
        method: input.method,
        headers,
        lookup: pinnedLookup(target),
        signal: options.signal,
        timeout: options.timeoutMs,
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            res.destroy();
            reject(
              new IntelGraphError('PAYLOAD_TOO_LARGE', `response larger than ${options.maxBytes} bytes`, {
                details: { limit: options.maxBytes },
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', () => reject(new IntelGraphError('UNAVAILABLE', 'the response failed')));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out[k] = v;
          resolve({
            status: res.statusCode ?? 0,
            headers: out,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => reject(new IntelGraphError('UNAVAILABLE', `request to ${target.host} failed`)));
    if (input.body !== undefined) req.write(input.body);
    req.end();
  });
}

/**
 * A ready-made `net.fetch` host method. It exists for a plugin as soon as any `net:` scope is granted;
 * each call must be covered by a granted `net:<host>[:<port>]` scope, resolves DNS once, refuses
 * private/loopback/link-local addresses (unless `allowPrivate`), and connects only to the vetted
 * addresses (no DNS rebinding). Redirects are returned, not followed.
 *
 * @example
 * ```ts
 * import { defineHostApi, netFetchMethod } from '@intelgraph/capabilities';
 * const hostApi = defineHostApi({ net: { fetch: netFetchMethod() } });
 * // in a plugin granted net:api.example.com:
 * // const r = await api.net.fetch({ url: 'https://api.example.com/v1/items' });
 * ```
 */
export function netFetchMethod(options: NetFetchOptions = {}): HostMethodSpec<NetFetchInput, NetFetchResult> {
  const guard = options.guard ?? createEgressGuard(options);
  const maxBytes = options.maxResponseBytes ?? 1_048_576;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    scope: 'net:*',
    visibleWith: 'resource',
    description: 'HTTP(S) request to a granted host',
    rows: () => 0,
    async handler(raw, ctx) {
      const input = parseInput(FetchInputSchema, raw, 'net.fetch input');
      const wanted = URL.canParse(input.url) ? new URL(input.url) : null;
      if (wanted && isScope(`net:${wanted.hostname}`)) {
        // Record the exact scope and deny before any DNS lookup happens.
        const port = wanted.port ? Number(wanted.port) : wanted.protocol === 'https:' ? 443 : 80;
        ctx.require(`net:${wanted.hostname}:${port}`);
      }
      const target = await guard.check(input.url, ctx.scopes);
      return send(target, input, { maxBytes, timeoutMs, signal: ctx.signal });
    },
  };
}
