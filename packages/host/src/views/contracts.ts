import {
  applyMappingPatch,
  type CompatibilityMode,
  checkCompatibility,
  diffSchemas,
} from '@intelgraph/contracts';
import type { Actor } from '@intelgraph/core';
import { IntelGraphError } from '@intelgraph/core';
import type { EdgeRecordResult } from '../edges.js';
import type { ViewContext } from './context.js';
import type { ContractVersionView, ContractView } from './types.js';

// The contract registry as the console shows it: subjects with versions and enforcement, the diff of two
// versions under the subject's compatibility mode, and a mapping patch tried on a record.

async function versionViews(ctx: ViewContext, subject: string): Promise<ContractVersionView[]> {
  const versions = await ctx.contracts.listVersions(subject, { includeDeleted: true });
  return versions.map((v) => ({
    subject: v.subject,
    version: v.version,
    format: v.format,
    schema: v.schema,
    fingerprint: v.fingerprint,
    createdAt: v.createdAt,
    deleted: v.deletedAt !== null,
  }));
}

/** Every subject with its versions, compatibility mode and edge enforcement. */
export async function contractViews(ctx: ViewContext, _actor: Actor): Promise<ContractView[]> {
  const subjects = await ctx.contracts.listSubjects();
  const out: ContractView[] = [];
  for (const subject of subjects) {
    const versions = await versionViews(ctx, subject);
    const live = versions.filter((v) => !v.deleted);
    const latest = live.at(-1) ?? versions.at(-1);
    if (!latest) continue;
    out.push({
      subject,
      format: latest.format,
      compatibility: await ctx.contracts.getCompatibility(subject),
      latest,
      versions,
      enforcement: ctx.gates.modes(subject),
    });
  }
  return out;
}

/** The changes between two versions of a subject, each marked breaking or not under its mode. */
export async function contractDiff(
  ctx: ViewContext,
  _actor: Actor,
  input: { subject: string; from: number; to: number },
) {
  const { contracts } = ctx;
  const [a, b] = await Promise.all([
    contracts.getVersion(input.subject, input.from, { includeDeleted: true }),
    contracts.getVersion(input.subject, input.to, { includeDeleted: true }),
  ]);
  if (a.format !== b.format)
    throw new IntelGraphError('INVALID_INPUT', 'cannot diff schemas of different formats');
  const mode = await contracts.getCompatibility(input.subject);
  const changes = diffSchemas(a.schema, b.schema, { format: a.format });
  const effective = mode.replace('_TRANSITIVE', '') as CompatibilityMode;
  const compat = checkCompatibility(a.schema, b.schema, { format: a.format, mode: effective });
  const breaks = (c: (typeof changes)[number]) =>
    effective === 'NONE'
      ? false
      : effective === 'BACKWARD'
        ? c.breaks.backward
        : effective === 'FORWARD'
          ? c.breaks.forward
          : c.breaks.backward || c.breaks.forward;
  const view = (v: typeof a) => ({ ...v, deleted: v.deletedAt !== null });
  return {
    subject: input.subject,
    from: view(a),
    to: view(b),
    changes: changes.map((c) => ({
      kind: c.kind,
      path: c.path,
      message: c.message,
      breaking: breaks(c),
    })),
    compatible: compat.compatible,
    issues: compat.issues,
  };
}

/** A mapping patch applied to one record against a subject's version, as an edge record result. */
export async function applyPatch(
  ctx: ViewContext,
  _actor: Actor,
  input: { subject: string; version?: number; record: unknown; patch: unknown[] },
): Promise<EdgeRecordResult> {
  const resolved = await ctx.contracts.resolve(input.subject, input.version);
  const r = applyMappingPatch(resolved.compiled, input.record, input.patch);
  return r.ok
    ? { index: 0, ok: true, errors: [], warnings: [], patch: [], patched: r.value, patchValid: true }
    : {
        index: 0,
        ok: false,
        errors: r.issues.map((i) => ({ code: i.code, path: i.path, message: i.message })),
        warnings: [],
        patch: [],
        patchValid: false,
      };
}
