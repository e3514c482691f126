// The operations of a migration rule: JSON Patch (RFC 6902) with one rule added for optional data: an
// operation whose source is absent from the record is skipped, and `add` never overwrites (it fills a default).
import fastJsonPatch from 'fast-json-patch';
import { z } from 'zod';
import { assertSafeJson } from '../input-guard.js';
import { CONTRACT_LIMITS } from '../limits.js';
import type { MigrationOperation } from '../migration-rules.js';

const Pointer = z
  .string()
  .regex(/^(\/([^~]|~[01])*)*$/u, 'must be a JSON pointer')
  // Records are plain data: a rule may not address an object's prototype (refused here, at registration,
  // rather than by the patch library when a record is migrated).
  .refine(
    (p) => !/(^|\/)__proto__(\/|$)/u.test(p) && !/(^|\/)constructor\/prototype(\/|$)/u.test(p),
    'must not address __proto__ or constructor/prototype',
  );
/** One operation of a migration rule, as registered and as stored. */
export const OperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: Pointer.min(1), value: z.json() }).strict(),
  z.object({ op: z.literal('replace'), path: Pointer.min(1), value: z.json() }).strict(),
  z.object({ op: z.literal('remove'), path: Pointer.min(1) }).strict(),
  z.object({ op: z.literal('move'), from: Pointer.min(1), path: Pointer.min(1) }).strict(),
  z.object({ op: z.literal('copy'), from: Pointer.min(1), path: Pointer.min(1) }).strict(),
]);

function exists(doc: unknown, pointer: string): boolean {
  try {
    return fastJsonPatch.getValueByPointer(doc, pointer) !== undefined;
  } catch {
    return false;
  }
}

function parentExists(doc: unknown, pointer: string): boolean {
  const parent = pointer.slice(0, pointer.lastIndexOf('/'));
  if (parent === '') return typeof doc === 'object' && doc !== null;
  try {
    const v: unknown = fastJsonPatch.getValueByPointer(doc, parent);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

/**
 * Applies a rule's operations to a copy of one record: an operation whose source (`from`, or `path` for
 * `remove`/`replace`) is absent is skipped, and `add` only fills an absent value (a default).
 *
 * @example
 * ```ts
 * import { applyMigrationOperations } from '@intelgraph/contracts';
 * applyMigrationOperations({ id: 'p1', dob: '1990-01-01' }, [{ op: 'move', from: '/dob', path: '/birthDate' }]);
 * // { id: 'p1', birthDate: '1990-01-01' }
 * ```
 */
export function applyMigrationOperations(
  record: unknown,
  operations: readonly MigrationOperation[],
): unknown {
  let doc = structuredClone(assertSafeJson(record, 'record', CONTRACT_LIMITS.maxPayloadBytes));
  for (const op of operations) {
    const source = op.op === 'move' || op.op === 'copy' ? op.from : op.path;
    if (op.op === 'add' ? exists(doc, op.path) || !parentExists(doc, op.path) : !exists(doc, source))
      continue;
    if ((op.op === 'move' || op.op === 'copy') && !parentExists(doc, op.path)) continue;
    doc = fastJsonPatch.applyOperation(doc, op, false, true, false).newDocument;
  }
  return doc;
}
