// Migrating records: the rules along the path applied to each record, then validation under the target.
import type { ContractIssue } from '../issue.js';
import type { MigrationResult } from '../migration-rules.js';
import { errorMessage } from '../narrow.js';
import { type MigrationContext, rulesOf } from './context.js';
import { applyMigrationOperations } from './operations.js';
import { migrationPath } from './paths.js';

/** Migrates records written under `from` to `to`, then validates them under `to`. */
export async function migrateRecords(
  ctx: MigrationContext,
  subject: string,
  records: readonly unknown[],
  opts: { from: number; to: number },
): Promise<MigrationResult> {
  const steps = await migrationPath(ctx, subject, opts.from, opts.to);
  const rules = await rulesOf(ctx, subject);
  const out: unknown[] = [];
  const failures: { index: number; issues: ContractIssue[] }[] = [];
  const target = (await ctx.registry.resolve(subject, opts.to)).compiled;
  for (const [index, record] of records.entries()) {
    let migrated = record;
    try {
      for (const s of steps) {
        const rule = s.via === 'rule' ? rules.get(`${s.from}>${s.to}`) : undefined;
        if (rule) migrated = applyMigrationOperations(migrated, rule.operations);
      }
    } catch (e) {
      failures.push({
        index,
        issues: [{ code: 'migration_failed', path: '', message: errorMessage(e) }],
      });
      continue;
    }
    const r = target.validate(migrated);
    if (r.ok) out.push(r.value);
    else failures.push({ index, issues: r.issues });
  }
  return failures.length > 0 ? { ok: false, steps, failures } : { ok: true, records: out, steps };
}
