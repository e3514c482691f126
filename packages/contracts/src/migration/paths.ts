// Paths between versions: each step between adjacent versions uses its rule, else passes records through
// when the target version reads all data of the source version; paths are cached per subject.
import { IntelGraphError } from '@intelgraph/core';
import { checkCompatibility } from '../compatibility.js';
import type { MigrationStep } from '../migration-rules.js';
import { type MigrationContext, rulesOf } from './context.js';

async function step(
  ctx: MigrationContext,
  subject: string,
  from: number,
  to: number,
): Promise<MigrationStep> {
  if ((await rulesOf(ctx, subject)).has(`${from}>${to}`)) return { from, to, via: 'rule' };
  // A miss may be a rule another host registered since this one read the store: read it again once.
  ctx.cache.delete(subject);
  if ((await rulesOf(ctx, subject)).has(`${from}>${to}`)) return { from, to, via: 'rule' };
  const { registry } = ctx;
  const [a, b] = await Promise.all([registry.getVersion(subject, from), registry.getVersion(subject, to)]);
  // Records pass through when version `to` reads everything `from` accepts: BACKWARD with `from` as the
  // previous schema (for Avro, schema resolution with `to` as the reader).
  const readable =
    a.format === b.format &&
    checkCompatibility(a.schema, b.schema, { format: a.format, mode: 'BACKWARD' }).compatible;
  if (readable) return { from, to, via: 'compatible' };
  throw new IntelGraphError(
    'NOT_FOUND',
    `${subject}: no migration from version ${from} to ${to}: register a ${to > from ? 'upgrade' : 'downgrade'} rule for that step (version ${to} does not read all data of version ${from})`,
    { details: { subject, from, to } },
  );
}

/** The steps from one version to another (cached); `NOT_FOUND` naming the first step nothing bridges. */
export function migrationPath(
  ctx: MigrationContext,
  subject: string,
  from: number,
  to: number,
): Promise<MigrationStep[]> {
  const { paths } = ctx;
  const k = `${subject}\u0000${from}\u0000${to}`;
  let p = paths.get(k);
  if (!p) {
    p = (async () => {
      const steps: MigrationStep[] = [];
      const dir = to > from ? 1 : -1;
      for (let v = from; v !== to; v += dir) steps.push(await step(ctx, subject, v, v + dir));
      return steps;
    })();
    p.catch(() => paths.delete(k));
    if (paths.size > 10_000) paths.clear();
    paths.set(k, p);
  }
  return p;
}
