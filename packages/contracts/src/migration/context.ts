// The state every part of the migration rules shares: the registry, the rule store, and per subject the
// rules read from the store (with when they were read) and the paths computed from them.
import {
  type Clock,
  IntelGraphError,
  type MigrationRuleRecord,
  type MigrationRuleStore,
  systemClock,
} from '@intelgraph/core';
import { z } from 'zod';
import { createMemoryMigrationRuleStore } from '../memory-store.js';
import type {
  MigrationOperation,
  MigrationRule,
  MigrationRulesOptions,
  MigrationStep,
} from '../migration-rules.js';
import type { SchemaRegistry } from '../registry.js';
import { OperationSchema } from './operations.js';

/** What every part of one set of migration rules reads, and the caches they share. */
export interface MigrationContext {
  readonly registry: SchemaRegistry;
  readonly store: MigrationRuleStore;
  readonly clock: Clock;
  readonly maxStalenessMs: number;
  /** Per subject: its rules by `from>to`, with when they were read. */
  readonly cache: Map<string, { at: number; rules: Promise<Map<string, MigrationRule>> }>;
  /** Paths by `subject\u0000from\u0000to`, computed from the cached rules. */
  readonly paths: Map<string, Promise<MigrationStep[]>>;
}

/** Builds the shared context from the options of `createMigrationRules`. */
export function createMigrationContext(options: MigrationRulesOptions): MigrationContext {
  return {
    registry: options.registry,
    store: options.store ?? createMemoryMigrationRuleStore(),
    clock: options.clock ?? systemClock,
    maxStalenessMs: options.maxStalenessMs ?? 5_000,
    cache: new Map(),
    paths: new Map(),
  };
}

const StoredOperations = z.array(OperationSchema);

function storedOperations(r: MigrationRuleRecord): MigrationOperation[] {
  const ops = StoredOperations.safeParse(r.operations);
  if (!ops.success)
    throw new IntelGraphError(
      'INTERNAL',
      `the stored migration rule ${r.subject} ${r.from}>${r.to} has invalid operations`,
      { cause: ops.error },
    );
  return ops.data;
}

/** A stored rule as a MigrationRule; its operations are parsed (rules are cached per subject, not per record). */
export const toRule = (r: MigrationRuleRecord): MigrationRule => ({
  subject: r.subject,
  from: r.from,
  to: r.to,
  operations: storedOperations(r),
  ...(r.description === null ? {} : { description: r.description }),
  direction: r.to > r.from ? 'upgrade' : 'downgrade',
  registeredAt: r.registeredAt,
});

/** A subject's rules by `from>to`: cached for `maxStalenessMs`, else read from the store again. */
export function rulesOf(ctx: MigrationContext, subject: string): Promise<Map<string, MigrationRule>> {
  const { cache } = ctx;
  const hit = cache.get(subject);
  const now = ctx.clock.now();
  if (hit && now - hit.at <= ctx.maxStalenessMs) return hit.rules;
  if (hit) forget(ctx, subject); // stale: paths built on the old rules go too
  const rules = ctx.store
    .listRules(subject)
    .then((list) => new Map(list.map((r) => [`${r.from}>${r.to}`, toRule(r)])));
  rules.catch(() => cache.delete(subject));
  cache.set(subject, { at: now, rules });
  return rules;
}

/** Drops the cached rules and paths of a subject, or of every subject. */
export function forget(ctx: MigrationContext, subject?: string): void {
  const { cache, paths } = ctx;
  if (subject === undefined) {
    cache.clear();
    paths.clear();
    return;
  }
  cache.delete(subject);
  for (const k of [...paths.keys()]) if (k.startsWith(`${subject}\u0000`)) paths.delete(k);
}
