/**
 * Every label value outside the registered set is reported as this.
 *
 * @example
 * ```ts
 * createLabelGuard().get('plugin', 'unknown') === OTHER_LABEL; // true
 * ```
 */
export const OTHER_LABEL = 'other';

/** Options of {@link createLabelGuard}. */
export interface LabelGuardOptions {
  /** Plugin ids known up front (more can be registered later). */
  plugins?: readonly string[];
  /** Org ids known up front. */
  orgs?: readonly string[];
  /** Contract subjects known up front. */
  subjects?: readonly string[];
  /** Capability scopes known up front. */
  scopes?: readonly string[];
  /** Upper bound of registered values per label (default 5000); past it, new values become `other`. */
  maxValuesPerLabel?: number;
}

/** The label kinds whose values must be registered before they appear on a metric. */
export type GuardedLabel = 'plugin' | 'org' | 'subject' | 'scope';

/** A cardinality guard: metric label values come only from registered plugins, orgs, subjects and scopes. */
export interface LabelGuard {
  register(label: GuardedLabel, value: string): void;
  /** The value itself when registered, else `other`. */
  get(label: GuardedLabel, value: string): string;
  /** `value` when it is one of `allowed`, else `other`. */
  oneOf(value: string, allowed: readonly string[]): string;
}

/**
 * Creates a {@link LabelGuard}. The host registers installed plugins and known orgs; anything else a
 * caller passes (a typo, an attacker-chosen id) is folded into `other`, so series stay bounded.
 *
 * @example
 * ```ts
 * import { createLabelGuard } from '@intelgraph/finops';
 * const guard = createLabelGuard({ plugins: ['sample-enricher'] });
 * guard.get('plugin', 'sample-enricher'); // 'sample-enricher'
 * guard.get('plugin', 'x'.repeat(80));    // 'other'
 * ```
 */
export function createLabelGuard(options: LabelGuardOptions = {}): LabelGuard {
  const max = options.maxValuesPerLabel ?? 5000;
  const sets: Record<GuardedLabel, Set<string>> = {
    plugin: new Set(),
    org: new Set(),
    subject: new Set(),
    scope: new Set(),
  };
  const guard: LabelGuard = {
    register(label, value) {
      const set = sets[label];
      if (set.size < max && value.length > 0 && value.length <= 200) set.add(value);
    },
    get(label, value) {
      return sets[label].has(value) ? value : OTHER_LABEL;
    },
    oneOf(value, allowed) {
      return allowed.includes(value) ? value : OTHER_LABEL;
    },
  };
  for (const p of options.plugins ?? []) guard.register('plugin', p);
  for (const o of options.orgs ?? []) guard.register('org', o);
  for (const s of options.subjects ?? []) guard.register('subject', s);
  for (const s of options.scopes ?? []) guard.register('scope', s);
  return guard;
}
