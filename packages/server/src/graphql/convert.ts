// Conversions between the host's answers and the generated GraphQL types (./generated/types.ts), and
// between GraphQL arguments and the host's inputs where the SDL is looser than the host (a `String` the
// host takes as a union, a `JSON` it takes as a typed shape). Each one checks the value: never a cast.
import { type AbuseCategory, IntelGraphError, type JsonValue } from '@intelgraph/core';
import type { MigrationRuleRequest, QuotaView } from '@intelgraph/host';
import type { EvidenceInput, Quota, QuotaMode, QuotaResource, QuotaWindow } from './generated/types.js';

/** Whether `value` is one of the keys of `table` (a `Record` over a union, so the union is exhaustive). */
function isKeyOf<K extends string>(table: Record<K, true>, value: string): value is K {
  return Object.hasOwn(table, value);
}

/** An object of the host's answer, as JSON (`JSON.stringify` semantics, which is how the response is written). */
function objectToJson(value: object, seen: Set<object>): JsonValue {
  if (seen.has(value)) throw new IntelGraphError('INTERNAL', 'a JSON value of the answer is circular');
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v: unknown) => toJsonIn(v, seen) ?? null);
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) {
      const j = toJsonIn(v, seen);
      if (j !== undefined) out[k] = j;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function toJsonIn(value: unknown, seen: Set<object>): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint')
    throw new IntelGraphError('INTERNAL', 'a JSON value of the answer holds a bigint');
  if (typeof value !== 'object') return undefined; // undefined, functions and symbols are left out
  const toJSON: unknown = Reflect.get(value, 'toJSON');
  if (typeof toJSON === 'function') return toJsonIn(toJSON.call(value), seen);
  return objectToJson(value, seen);
}

/**
 * A value of the host's answer typed `unknown` (a record, a patch value, run output) as the `JSON`
 * scalar's `JsonValue`: what `JSON.stringify` would write (`undefined` members left out, `toJSON`
 * honoured, a non-finite number is `null`); a circular value or a bigint is `INTERNAL`.
 */
export function toJsonValue(value: unknown): JsonValue {
  return toJsonIn(value, new Set()) ?? null;
}

const QUOTA_MODES: Record<QuotaMode, true> = { hard: true, soft: true };
const QUOTA_RESOURCES: Record<QuotaResource, true> = { calls: true, cpuMs: true, rows: true };
const QUOTA_WINDOWS: Record<QuotaWindow, true> = { minute: true, hour: true, day: true, month: true };

function hostEnum<K extends string>(table: Record<K, true>, value: string, field: string): K {
  if (isKeyOf(table, value)) return value;
  throw new IntelGraphError(
    'INTERNAL',
    `the host answered a quota ${field} the schema does not know: ${value}`,
  );
}

/** A quota rule of the host as the SDL's `Quota` (its enums checked, not assumed). */
export function quotaView(q: QuotaView): Quota {
  return {
    ...q,
    resource: hostEnum(QUOTA_RESOURCES, q.resource, 'resource'),
    window: hostEnum(QUOTA_WINDOWS, q.window, 'window'),
    mode: hostEnum(QUOTA_MODES, q.mode, 'mode'),
  };
}

function invalidArgument(path: (string | number)[], message: string): IntelGraphError {
  return new IntelGraphError('INVALID_INPUT', `${path.join('.')}: ${message}`, {
    details: { issues: [{ code: 'invalid_value', path, message }] },
  });
}

const ABUSE_CATEGORIES: Record<AbuseCategory, true> = {
  malware: true,
  data_exfiltration: true,
  privacy: true,
  impersonation: true,
  spam: true,
  inappropriate: true,
  broken: true,
  other: true,
};

/** The `category` argument of `pluginReport` (a `String` in the SDL) as an abuse category. */
export function abuseCategoryOf(value: string): AbuseCategory {
  if (isKeyOf(ABUSE_CATEGORIES, value)) return value;
  throw invalidArgument(['category'], `must be one of ${Object.keys(ABUSE_CATEGORIES).join(', ')}`);
}

const ENCODINGS: Record<'utf8' | 'base64', true> = { utf8: true, base64: true };

/** An attachment as governance takes it (`encoding` is a `String` in the SDL: utf8 or base64). */
export interface HostEvidence {
  name: string;
  mediaType: string;
  content: string;
  encoding?: 'utf8' | 'base64';
}

/**
 * The `evidence` argument of the review mutations as governance takes it; governance checks the rest
 * (names, media types, sizes).
 */
export function evidenceOf(list: readonly EvidenceInput[]): HostEvidence[] {
  return list.map((e, i) => {
    const { encoding, ...rest } = e;
    if (encoding == null) return rest;
    if (!isKeyOf(ENCODINGS, encoding))
      throw invalidArgument(['evidence', i, 'encoding'], 'must be utf8 or base64');
    return { ...rest, encoding };
  });
}

type MigrationOperation = MigrationRuleRequest['operations'][number];

function isJsonObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One JSON Patch operation of `contractRegisterMigrationRule` (each is `JSON` in the SDL): its `op` and
 * the members that op takes, nothing else. The contracts package checks the pointers.
 */
function migrationOperationOf(v: JsonValue, i: number): MigrationOperation {
  const at = ['operations', i];
  if (!isJsonObject(v)) throw invalidArgument(at, 'must be a JSON Patch operation object');
  const { op, path, from, value, ...extra } = v;
  const unknownKey = Object.keys(extra)[0];
  if (unknownKey !== undefined) throw invalidArgument([...at, unknownKey], 'is not a member of an operation');
  if (typeof path !== 'string') throw invalidArgument([...at, 'path'], 'must be a JSON pointer');
  const only = (allowed: { from: boolean; value: boolean }) => {
    if (!allowed.from && from !== undefined)
      throw invalidArgument([...at, 'from'], `is not a member of ${op}`);
    if (!allowed.value && value !== undefined)
      throw invalidArgument([...at, 'value'], `is not a member of ${op}`);
  };
  switch (op) {
    case 'add':
    case 'replace':
      only({ from: false, value: true });
      if (value === undefined) throw invalidArgument([...at, 'value'], `is required by ${op}`);
      return { op, path, value };
    case 'remove':
      only({ from: false, value: false });
      return { op, path };
    case 'move':
    case 'copy':
      only({ from: true, value: false });
      if (typeof from !== 'string') throw invalidArgument([...at, 'from'], 'must be a JSON pointer');
      return { op, from, path };
    default:
      throw invalidArgument([...at, 'op'], 'must be add, replace, remove, move or copy');
  }
}

/** The `operations` argument of `contractRegisterMigrationRule` as the host's migration operations. */
export function migrationOperationsOf(list: readonly JsonValue[]): MigrationOperation[] {
  return list.map(migrationOperationOf);
}
