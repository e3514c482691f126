import type { JsonValue } from '@intelgraph/core';
import { type AvroType, avroResolverOptions, parseAvroSchema } from './avro-validator.js';
import {
  enumDefault,
  enumSymbols,
  fixedSize,
  itemsType,
  recordFields,
  underlyingType,
  unionTypes,
  valuesType,
} from './avro-view.js';
import { type ContractIssue, childPointer } from './issue.js';
import { errorMessage, toJsonValue } from './narrow.js';
import type { SchemaChange, SchemaChangeKind } from './schema-change.js';

// Avro compatibility is decided by avsc's resolver (the reference semantics: defaults, promotions,
// aliases, unions). This file explains a failed resolution with paths, by walking the reader and writer
// types the way the Avro specification resolves them, and lists typed changes for diffs.

const PROMOTIONS: Record<string, string[]> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

function kindOf(t: AvroType): string {
  const name = t.typeName;
  if (name.startsWith('union')) return 'union';
  if (name.startsWith('logical')) {
    const under = underlyingType(t);
    // A logical type always has an underlying type; without one, it is read as the logical name.
    return under === undefined ? name : kindOf(under);
  }
  return name === 'error' ? 'record' : name;
}
function base(t: AvroType): AvroType {
  return t.typeName.startsWith('logical') ? (underlyingType(t) ?? t) : t;
}
function label(t: AvroType): string {
  const a = base(t);
  return a.name ? `${kindOf(a)} ${a.name}` : kindOf(a);
}
// Avro's Java SchemaCompatibility compares unqualified names (and aliases), so a namespace-only change matches.
const unqualified = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
function namesMatch(reader: AvroType, writer: AvroType): boolean {
  if (!writer.name) return true;
  const w = unqualified(writer.name);
  return (
    unqualified(reader.name ?? '') === w || (reader.aliases ?? []).some((alias) => unqualified(alias) === w)
  );
}

/** Why `reader` cannot read data written with `writer`, with paths into the reader (or writer) schema. */
function explain(
  reader: AvroType,
  writer: AvroType,
  readerPath: string,
  writerPath: string,
  who: { reader: string; writer: string },
  out: ContractIssue[],
  seen: Set<string>,
): void {
  const r = base(reader);
  const w = base(writer);
  const rk = kindOf(r);
  const wk = kindOf(w);
  if (wk === 'union') {
    (unionTypes(w) ?? []).forEach((branch, i) => {
      if (resolves(reader, branch)) return;
      out.push({
        code: 'union-branch-unreadable',
        path: childPointer(writerPath, i),
        message: `the ${who.writer} schema's union branch ${label(branch)} at ${childPointer(writerPath, i)} cannot be read by the ${who.reader} schema's ${label(reader)} at ${readerPath || '/'}`,
      });
    });
    return;
  }
  if (rk === 'union') {
    const branches = unionTypes(r) ?? [];
    if (branches.some((b) => resolves(b, writer))) return;
    // Explain against the branch of the same kind, when there is one.
    const same = branches.findIndex((b) => kindOf(b) === wk);
    if (same >= 0) {
      const branch = branches[same];
      if (branch !== undefined) {
        explain(branch, writer, childPointer(readerPath, same), writerPath, who, out, seen);
        return;
      }
    }
    out.push({
      code: 'type-mismatch',
      path: readerPath,
      message: `the ${who.reader} schema's union at ${readerPath || '/'} has no branch that reads the ${who.writer} schema's ${label(writer)}`,
    });
    return;
  }
  if (rk !== wk) {
    if ((PROMOTIONS[wk] ?? []).includes(rk)) return;
    out.push({
      code: 'type-mismatch',
      path: readerPath,
      message: `the ${who.reader} schema reads ${label(reader)} at ${readerPath || '/'} but the ${who.writer} schema writes ${label(writer)} there, which is not a promotion Avro allows`,
    });
    return;
  }
  if (rk === 'record' || rk === 'enum' || rk === 'fixed') {
    if (!namesMatch(r, w)) {
      out.push({
        code: 'name-mismatch',
        path: readerPath,
        message: `the ${who.reader} schema's ${rk} ${r.name} at ${readerPath || '/'} does not match the name ${w.name} and has no alias for it`,
      });
      return;
    }
  }
  if (rk === 'record') {
    const key = `${r.name}:${w.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const writerFields = recordFields(w) ?? [];
    (recordFields(r) ?? []).forEach((field, i) => {
      const fieldPath = childPointer(childPointer(readerPath, 'fields'), i);
      const names = [field.name, ...field.aliases];
      const wi = writerFields.findIndex((wf) => names.includes(wf.name));
      const wf = writerFields[wi];
      if (!wf) {
        if (field.defaultValue() === undefined)
          out.push({
            code: 'field-missing-default',
            path: fieldPath,
            message: `field '${field.name}' at ${fieldPath} has no default, and data written with the ${who.writer} schema does not have it`,
          });
        return;
      }
      explain(
        field.type,
        wf.type,
        childPointer(fieldPath, 'type'),
        childPointer(childPointer(childPointer(writerPath, 'fields'), wi), 'type'),
        who,
        out,
        seen,
      );
    });
    return;
  }
  if (rk === 'enum') {
    const missing = (enumSymbols(w) ?? []).filter((s) => !(enumSymbols(r) ?? []).includes(s));
    if (missing.length > 0 && enumDefault(r) === undefined)
      out.push({
        code: 'enum-symbol-missing',
        path: childPointer(readerPath, 'symbols'),
        message: `the ${who.reader} schema's enum ${r.name} at ${readerPath || '/'} lacks the symbols ${missing.join(', ')} and has no default`,
      });
    return;
  }
  if (rk === 'fixed' && fixedSize(r) !== fixedSize(w)) {
    out.push({
      code: 'fixed-size-mismatch',
      path: childPointer(readerPath, 'size'),
      message: `the ${who.reader} schema's fixed ${r.name} has size ${fixedSize(r)} but the ${who.writer} schema's has size ${fixedSize(w)}`,
    });
    return;
  }
  const [ri, wi] = [itemsType(r), itemsType(w)];
  if (rk === 'array' && ri !== undefined && wi !== undefined)
    explain(ri, wi, childPointer(readerPath, 'items'), childPointer(writerPath, 'items'), who, out, seen);
  const [rv, wv] = [valuesType(r), valuesType(w)];
  if (rk === 'map' && rv !== undefined && wv !== undefined)
    explain(rv, wv, childPointer(readerPath, 'values'), childPointer(writerPath, 'values'), who, out, seen);
}

function resolves(reader: AvroType, writer: AvroType): boolean {
  try {
    reader.createResolver(writer, avroResolverOptions());
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `readerSchema` can read data written with `writerSchema`, decided by avsc's resolver, with every
 * reason listed. `who` names the two schemas in the messages (for example new/old).
 */
export function avroReadIssues(
  readerSchema: unknown,
  writerSchema: unknown,
  who: { reader: string; writer: string },
): ContractIssue[] {
  const reader = parseAvroSchema(readerSchema);
  const writer = parseAvroSchema(writerSchema);
  try {
    reader.createResolver(writer, avroResolverOptions());
    return [];
  } catch (cause) {
    const out: ContractIssue[] = [];
    explain(reader, writer, '', '', who, out, new Set());
    if (out.length === 0)
      out.push({
        code: 'unresolvable',
        path: '',
        message: `the ${who.reader} schema cannot read data written with the ${who.writer} schema: ${errorMessage(cause)}`,
      });
    return out;
  }
}

function push(
  out: SchemaChange[],
  kind: SchemaChangeKind,
  path: string,
  message: string,
  backward: boolean,
  forward: boolean,
  before?: unknown,
  after?: unknown,
): void {
  const c: SchemaChange = { kind, path, message, breaks: { backward, forward } };
  const b = toJsonValue(before);
  const a = toJsonValue(after);
  if (b !== undefined) c.before = b;
  if (a !== undefined) c.after = a;
  out.push(c);
}

function schemaOf(t: AvroType): JsonValue {
  return toJsonValue(t.schema()) ?? null;
}

function diffTypes(o: AvroType, n: AvroType, path: string, out: SchemaChange[], seen: Set<string>): void {
  const a = base(o);
  const b = base(n);
  const ak = kindOf(a);
  const bk = kindOf(b);
  const backward = !resolves(n, o);
  const forward = !resolves(o, n);
  if (ak !== bk) {
    if (ak === 'union' || bk === 'union') {
      const ob = ak === 'union' ? (unionTypes(a) ?? []) : [o];
      const nb = bk === 'union' ? (unionTypes(b) ?? []) : [n];
      for (const [i, t] of nb.entries())
        if (!ob.some((x) => x.equals(t)))
          push(
            out,
            'union-branch-added',
            bk === 'union' ? childPointer(path, i) : path,
            `${path || '/'} now also accepts ${label(t)}`,
            false,
            !resolves(o, t),
            undefined,
            schemaOf(t),
          );
      for (const [i, t] of ob.entries())
        if (!nb.some((x) => x.equals(t)))
          push(
            out,
            'union-branch-removed',
            ak === 'union' ? childPointer(path, i) : path,
            `${path || '/'} no longer accepts ${label(t)}`,
            !resolves(n, t),
            false,
            schemaOf(t),
            undefined,
          );
      return;
    }
    const promoted = (PROMOTIONS[ak] ?? []).includes(bk);
    const demoted = (PROMOTIONS[bk] ?? []).includes(ak);
    push(
      out,
      promoted && !demoted
        ? 'field-type-promoted'
        : demoted && !promoted
          ? 'field-type-demoted'
          : 'field-type-changed',
      path,
      `the type at ${path || '/'} changed from ${label(o)} to ${label(n)}`,
      backward,
      forward,
      schemaOf(o),
      schemaOf(n),
    );
    return;
  }
  if ((ak === 'record' || ak === 'enum' || ak === 'fixed') && a.name !== b.name)
    push(
      out,
      'name-changed',
      childPointer(path, 'name'),
      `the ${ak} ${a.name} at ${path || '/'} was renamed to ${b.name}`,
      !namesMatch(b, a),
      !namesMatch(a, b),
      a.name,
      b.name,
    );
  if (ak === 'record' || ak === 'enum' || ak === 'fixed') {
    const oldAliases = a.aliases ?? [];
    const newAliases = b.aliases ?? [];
    for (const x of newAliases.filter((x) => !oldAliases.includes(x)))
      push(
        out,
        'alias-added',
        childPointer(path, 'aliases'),
        `${ak} ${b.name} now has the alias ${x}`,
        false,
        false,
        undefined,
        x,
      );
    for (const x of oldAliases.filter((x) => !newAliases.includes(x)))
      push(
        out,
        'alias-removed',
        childPointer(path, 'aliases'),
        `${ak} ${b.name} no longer has the alias ${x}`,
        false,
        false,
        x,
        undefined,
      );
  }
  if (ak === 'record') {
    const key = `${a.name}:${b.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const of = recordFields(a) ?? [];
    const nf = recordFields(b) ?? [];
    nf.forEach((field, i) => {
      const fp = childPointer(childPointer(path, 'fields'), i);
      const names = [field.name, ...field.aliases];
      const old = of.find((x) => names.includes(x.name) || x.aliases.includes(field.name));
      if (!old) {
        const hasDefault = field.defaultValue() !== undefined;
        push(
          out,
          hasDefault ? 'field-added-with-default' : 'field-added',
          fp,
          hasDefault
            ? `field '${field.name}' was added with a default`
            : `field '${field.name}' at ${fp} was added without a default, so the new schema cannot read old data`,
          !hasDefault,
          false,
          undefined,
          field.name,
        );
        return;
      }
      const od = old.defaultValue();
      const nd = field.defaultValue();
      if (JSON.stringify(od) !== JSON.stringify(nd))
        push(
          out,
          'field-default-changed',
          childPointer(fp, 'default'),
          `the default of field '${field.name}' changed`,
          false,
          false,
          od ?? null,
          nd ?? null,
        );
      diffTypes(old.type, field.type, childPointer(fp, 'type'), out, seen);
    });
    of.forEach((field, i) => {
      const still = nf.some(
        (x) => x.name === field.name || x.aliases.includes(field.name) || field.aliases.includes(x.name),
      );
      if (still) return;
      const hasDefault = field.defaultValue() !== undefined;
      push(
        out,
        hasDefault ? 'field-removed-with-default' : 'field-removed',
        childPointer(childPointer(path, 'fields'), i),
        hasDefault
          ? `field '${field.name}' was removed; old readers fill in its default`
          : `field '${field.name}' was removed, and the old schema has no default for it, so old readers cannot read new data`,
        false,
        !hasDefault,
        field.name,
        undefined,
      );
    });
    return;
  }
  if (ak === 'enum') {
    const os = enumSymbols(a) ?? [];
    const ns = enumSymbols(b) ?? [];
    const added = ns.filter((s) => !os.includes(s));
    const removed = os.filter((s) => !ns.includes(s));
    if (added.length > 0)
      push(
        out,
        'enum-symbol-added',
        childPointer(path, 'symbols'),
        `enum ${b.name} gained the symbols ${added.join(', ')}${enumDefault(a) === undefined ? ', which old readers cannot read (no default)' : ''}`,
        false,
        enumDefault(a) === undefined,
        os,
        ns,
      );
    if (removed.length > 0)
      push(
        out,
        'enum-symbol-removed',
        childPointer(path, 'symbols'),
        `enum ${b.name} lost the symbols ${removed.join(', ')}${enumDefault(b) === undefined ? ', so the new schema cannot read old data using them (no default)' : ''}`,
        enumDefault(b) === undefined,
        false,
        os,
        ns,
      );
    return;
  }
  if (ak === 'fixed' && fixedSize(a) !== fixedSize(b)) {
    push(
      out,
      'fixed-size-changed',
      childPointer(path, 'size'),
      `fixed ${b.name} changed size from ${fixedSize(a)} to ${fixedSize(b)}`,
      true,
      true,
      fixedSize(a),
      fixedSize(b),
    );
    return;
  }
  const [ai, bi] = [itemsType(a), itemsType(b)];
  if (ak === 'array' && ai !== undefined && bi !== undefined)
    diffTypes(ai, bi, childPointer(path, 'items'), out, seen);
  const [av, bv] = [valuesType(a), valuesType(b)];
  if (ak === 'map' && av !== undefined && bv !== undefined)
    diffTypes(av, bv, childPointer(path, 'values'), out, seen);
  if (ak === 'union') {
    const ob = unionTypes(a) ?? [];
    const nb = unionTypes(b) ?? [];
    nb.forEach((t, i) => {
      if (ob.some((x) => x.equals(t))) return;
      const same = ob.findIndex(
        (x) => kindOf(x) === kindOf(t) && (base(x).name ?? '') === (base(t).name ?? ''),
      );
      const match = ob[same];
      if (match !== undefined) diffTypes(match, t, childPointer(path, i), out, seen);
      else
        push(
          out,
          'union-branch-added',
          childPointer(path, i),
          `the union at ${path || '/'} gained the branch ${label(t)}`,
          false,
          !resolves(o, t),
          undefined,
          schemaOf(t),
        );
    });
    ob.forEach((t, i) => {
      if (nb.some((x) => x.equals(t))) return;
      const same = nb.some((x) => kindOf(x) === kindOf(t) && (base(x).name ?? '') === (base(t).name ?? ''));
      if (!same)
        push(
          out,
          'union-branch-removed',
          childPointer(path, i),
          `the union at ${path || '/'} lost the branch ${label(t)}`,
          !resolves(n, t),
          false,
          schemaOf(t),
          undefined,
        );
    });
  }
}

/** Lists the changes between two Avro schemas, with what each breaks under Avro resolution rules. */
export function diffAvroSchemas(oldSchema: unknown, newSchema: unknown): SchemaChange[] {
  const out: SchemaChange[] = [];
  diffTypes(parseAvroSchema(oldSchema), parseAvroSchema(newSchema), '', out, new Set());
  return out;
}
