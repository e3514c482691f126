import {
  type ErrorCode,
  findDangerousKeys,
  type HostCallRecord,
  IntelGraphError,
  isIntelGraphError,
  parseInput,
} from '@intelgraph/core';
import type { z } from 'zod';
import { anyScopeCovers, parseScope } from './scope.js';

/** What a host method handler receives besides its input. */
export interface HostMethodContext {
  /** The scopes granted to the calling plugin. */
  readonly scopes: readonly string[];
  /** Aborted when the run ends early (budget, error, shutdown); pass it on to any I/O. */
  readonly signal: AbortSignal;
  /** Rows the plugin may still receive before its rows budget is spent: push it down as a limit. */
  readonly rowsRemaining: number;
  /** Host data given to {@link scopeHostApi} (org, actor, request id …). */
  readonly context: Readonly<Record<string, unknown>>;
  /**
   * Throws `CAPABILITY_DENIED` unless a granted scope covers `scope`, and records `scope` as the scope
   * of this call. For methods whose scope depends on the input (a fetch to a host).
   */
  require(scope: string): void;
}

/** One method of a host API. */
export interface HostMethodSpec<I = never, O = unknown> {
  /** The scope a plugin needs for the method to exist at all, for example `graph:read`. */
  scope: string;
  /**
   * `scope` (default): the method exists when a granted scope covers `scope`. `resource`: it exists when
   * any scope of the same resource is granted, and the handler calls `ctx.require()` with the exact
   * scope (how `net:<host>` works).
   */
  visibleWith?: 'scope' | 'resource';
  /** Optional zod schema of the input; failures are `INVALID_INPUT` with paths. */
  input?: z.ZodType<I>;
  handler: (input: I, ctx: HostMethodContext) => O | Promise<O>;
  /** How many rows a result counts for (default: array length, 1 for any other value, 0 for null). */
  rows?: (result: O) => number;
  /** Shown in docs and consent screens. */
  description?: string;
}

/** Any {@link HostMethodSpec}, whatever its input and output types. */
export interface AnyHostMethodSpec {
  scope: string;
  visibleWith?: 'scope' | 'resource';
  input?: z.ZodType;
  handler: (input: never, ctx: HostMethodContext) => unknown;
  rows?: (result: never) => number;
  description?: string;
}

/** The shape accepted by {@link defineHostApi}: `namespace.method` → spec. */
export type HostApiDefinition = Record<string, Record<string, AnyHostMethodSpec>>;

/**
 * Identity helper that ties a method's `input` schema, `handler` and `rows` together for type
 * inference.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { defineHostApi, hostMethod } from '@intelgraph/capabilities';
 * const hostApi = defineHostApi({
 *   graph: { search: hostMethod({ scope: 'graph:read', input: z.object({ q: z.string() }),
 *     handler: async ({ q }) => graph.search(q) }) },
 * });
 * ```
 */
export function hostMethod<I, O>(spec: HostMethodSpec<I, O>): HostMethodSpec<I, O> {
  return spec;
}

/** A validated host API definition, built once by the host with {@link defineHostApi}. */
export interface HostApi<D extends HostApiDefinition = HostApiDefinition> {
  readonly definition: D;
  /** Every method, as `namespace.method` with its scope, sorted by path. */
  readonly methods: readonly { path: string; scope: string; visibleWith: 'scope' | 'resource' }[];
}

/** A method as the plugin (or host code) can call it. */
export type HostMethodCall = (input?: unknown) => Promise<unknown>;

/** Options of one {@link ScopedHostApi.call}. */
export interface HostCallOptions {
  signal?: AbortSignal;
  /** Remaining rows budget, handed to the handler as `ctx.rowsRemaining`. */
  rowsRemaining?: number;
  /** Receives the provenance record of the call once it settled. */
  onCall?: (record: HostCallRecord) => void;
}

/** The API a plugin sees: only granted methods exist. Built with {@link scopeHostApi}. */
export interface ScopedHostApi {
  readonly grantedScopes: readonly string[];
  /** The visible surface: `namespace.method` paths, sorted. */
  readonly methods: readonly string[];
  has(path: string): boolean;
  /**
   * Calls a visible method. Errors are `IntelGraphError`s: `CAPABILITY_DENIED` for a method that does
   * not exist for this plugin, `INVALID_INPUT`, the handler's own typed errors, and `INTERNAL` (with no
   * host detail in the message) for anything else the handler threw.
   */
  call(path: string, input: unknown, options?: HostCallOptions): Promise<unknown>;
  /** A plain `{ namespace: { method } }` object over {@link call}, for host-side callers and tests. */
  client(options?: HostCallOptions): Record<string, Record<string, HostMethodCall>>;
}

const NAME = /^[A-Za-z_$][\w$]{0,63}$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype', 'then', 'toString', 'valueOf', 'toJSON']);

function checkName(name: string, where: string): void {
  if (!NAME.test(name) || RESERVED.has(name)) {
    throw new IntelGraphError('INVALID_INPUT', `"${name}" is not allowed as a host API ${where} name`, {
      details: { issues: [{ code: 'invalid_name', path: [name], message: 'not an allowed name' }] },
    });
  }
}

/**
 * Declares the host API once: each method with the scope it needs. Names are checked (no
 * `__proto__`, `then`, …) and scopes parsed, so mistakes fail at startup, not during a run.
 *
 * @example
 * ```ts
 * import { defineHostApi } from '@intelgraph/capabilities';
 * const hostApi = defineHostApi({
 *   graph: { search: { scope: 'graph:read', handler: async ({ q, limit }: { q: string; limit: number }) =>
 *     graph.search(q, limit) } },
 *   cases: { create: { scope: 'cases:write', handler: async (c: { title: string }) => cases.create(c) } },
 * });
 * ```
 */
export function defineHostApi<const D extends HostApiDefinition>(definition: D): HostApi<D> {
  const methods: { path: string; scope: string; visibleWith: 'scope' | 'resource' }[] = [];
  for (const [ns, group] of Object.entries(definition)) {
    checkName(ns, 'namespace');
    for (const [name, spec] of Object.entries(group)) {
      checkName(name, 'method');
      if (typeof spec?.handler !== 'function') {
        throw new IntelGraphError('INVALID_INPUT', `host method ${ns}.${name} has no handler`);
      }
      const scope = parseScope(spec.scope).text;
      methods.push({ path: `${ns}.${name}`, scope, visibleWith: spec.visibleWith ?? 'scope' });
    }
  }
  methods.sort((a, b) => (a.path < b.path ? -1 : 1));
  return Object.freeze({ definition, methods: Object.freeze(methods) });
}

function defaultRows(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  return result === null || result === undefined ? 0 : 1;
}

function visible(
  method: { scope: string; visibleWith: 'scope' | 'resource' },
  granted: readonly string[],
): boolean {
  if (method.visibleWith === 'resource') {
    const resource = parseScope(method.scope).resource;
    return granted.some((g) => g.startsWith(`${resource}:`));
  }
  return anyScopeCovers(granted, method.scope);
}

/** Options of {@link scopeHostApi}. */
export interface ScopeHostApiOptions {
  /** Host data handed to every handler as `ctx.context`. */
  context?: Record<string, unknown>;
  /** Monotonic milliseconds for call timing (default `performance.now`). */
  now?: () => number;
  /**
   * Aborted when the whole run must stop (kill switch, uninstall, revoked grant): every later call is
   * refused with the abort reason (an `IntelGraphError`, else `UNAVAILABLE`), and handlers see it
   * through `ctx.signal` together with the call's own signal.
   */
  signal?: AbortSignal;
  /**
   * Runs before every call, after the method lookup: throw to refuse the call (for example when the
   * installation or its grants no longer hold). Keep it cheap: it is on every host call's path.
   */
  beforeCall?: (path: string) => void | Promise<void>;
}

function abortError(signal: AbortSignal): IntelGraphError {
  const reason: unknown = signal.reason;
  return isIntelGraphError(reason) ? reason : new IntelGraphError('UNAVAILABLE', 'the run has ended');
}

/**
 * Builds the object a plugin sees from the host API and the plugin's granted scopes. Ungranted
 * methods are absent; every call is validated (prototype keys are refused), run with the plugin's
 * scopes, and reported through `onCall` as a provenance record `{ scope, method, rows, ms, ok }`.
 *
 * @example
 * ```ts
 * import { scopeHostApi } from '@intelgraph/capabilities';
 * const api = scopeHostApi(hostApi, ['graph:read']);
 * api.methods; // ['graph.search']
 * const calls = [];
 * await api.call('graph.search', { q: 'acme', limit: 5 }, { onCall: (c) => calls.push(c) });
 * ```
 */
export function scopeHostApi(
  hostApi: HostApi,
  grantedScopes: readonly string[],
  options: ScopeHostApiOptions = {},
): ScopedHostApi {
  const scopes = Object.freeze([...new Set(grantedScopes.map((s) => parseScope(s).text))].sort());
  const now = options.now ?? (() => performance.now());
  const context = Object.freeze({ ...(options.context ?? {}) });
  const table = new Map<string, { scope: string; spec: AnyHostMethodSpec }>();
  for (const m of hostApi.methods) {
    if (!visible(m, scopes)) continue;
    const [ns, name] = m.path.split('.') as [string, string];
    const spec = hostApi.definition[ns]?.[name];
    if (spec) table.set(m.path, { scope: m.scope, spec });
  }
  const methods = Object.freeze([...table.keys()]);

  async function call(path: string, input: unknown, callOptions: HostCallOptions = {}): Promise<unknown> {
    const entry = table.get(path);
    if (!entry) {
      throw new IntelGraphError(
        'CAPABILITY_DENIED',
        `no host method "${String(path).slice(0, 100)}" is granted`,
        {
          details: { method: String(path).slice(0, 100) },
        },
      );
    }
    let scope = entry.scope;
    let rows = 0;
    const started = now();
    const signals = [callOptions.signal, options.signal].filter((x): x is AbortSignal => x !== undefined);
    const signal =
      signals.length === 0
        ? new AbortController().signal
        : signals.length === 1
          ? (signals[0] as AbortSignal)
          : AbortSignal.any(signals);
    const ctx: HostMethodContext = {
      scopes,
      signal,
      rowsRemaining: callOptions.rowsRemaining ?? Number.POSITIVE_INFINITY,
      context,
      require(required: string) {
        const s = parseScope(required).text;
        scope = s;
        if (!anyScopeCovers(scopes, s)) {
          throw new IntelGraphError('CAPABILITY_DENIED', `scope ${s} is not granted`, {
            details: { scope: s },
          });
        }
      },
    };
    const report = (ok: boolean, error?: ErrorCode) =>
      callOptions.onCall?.({
        scope,
        method: path,
        rows,
        ms: Math.max(0, now() - started),
        ok,
        ...(error ? { error } : {}),
      });
    try {
      if (signal.aborted) throw abortError(signal);
      if (options.beforeCall) await options.beforeCall(path);
      if (signal.aborted) throw abortError(signal);
      const dangerous = findDangerousKeys(input, 32);
      if (dangerous.length > 0) {
        throw new IntelGraphError('INVALID_INPUT', `invalid input of ${path}: ${dangerous[0]?.message}`, {
          details: { issues: dangerous },
        });
      }
      const parsed = entry.spec.input ? parseInput(entry.spec.input, input, `input of ${path}`) : input;
      const result = await entry.spec.handler(parsed as never, ctx);
      const count = entry.spec.rows ? entry.spec.rows(result as never) : defaultRows(result);
      rows = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
      report(true);
      return result;
    } catch (error) {
      const typed = isIntelGraphError(error)
        ? error
        : new IntelGraphError('INTERNAL', `host method ${path} failed`, { cause: error });
      report(false, typed.code);
      throw typed;
    }
  }

  return Object.freeze({
    grantedScopes: scopes,
    methods,
    has: (path: string) => table.has(path),
    call,
    client(callOptions?: HostCallOptions) {
      const out: Record<string, Record<string, HostMethodCall>> = Object.create(null);
      for (const path of methods) {
        const [ns, name] = path.split('.') as [string, string];
        out[ns] ??= Object.create(null) as Record<string, HostMethodCall>;
        (out[ns] as Record<string, HostMethodCall>)[name] = (input?: unknown) =>
          call(path, input, callOptions);
      }
      return out;
    },
  });
}
