// Quota windows and storage keys shared by every QuotaStore and KillSwitchStore (finops' memory stores and
// the Redis adapter), so the calendar, the sliding buckets and the keys are computed in one place.
import type { KillSwitchTarget, QuotaRule, QuotaWindow } from './quotas.js';

/**
 * Length of each sliding window in ms: 60 s, 1 h, 24 h and 30 days.
 *
 * @example
 * ```ts
 * import { SLIDING_WINDOW_MS } from '@intelgraph/core';
 * SLIDING_WINDOW_MS.hour; // 3600000
 * ```
 */
export const SLIDING_WINDOW_MS: Readonly<Record<QuotaWindow, number>> = Object.freeze({
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  month: 30 * 86_400_000,
});

/**
 * Sub-buckets per sliding window: a sliding limit may deny at most one bucket (1/60 of the window) early.
 *
 * @example
 * ```ts
 * import { SLIDING_BUCKETS, SLIDING_WINDOW_MS } from '@intelgraph/core';
 * SLIDING_WINDOW_MS.minute / SLIDING_BUCKETS; // 1000: one-second buckets for per-minute sliding limits
 * ```
 */
export const SLIDING_BUCKETS = 60;

/** A half-open interval `[start, end)` in epoch ms. */
export interface WindowFrame {
  start: number;
  end: number;
}

/**
 * The UTC calendar window (`minute`, `hour`, `day`, `month`) containing `now`.
 *
 * @example
 * ```ts
 * import { fixedWindowFrame } from '@intelgraph/core';
 * fixedWindowFrame('month', Date.UTC(2026, 1, 14, 9)); // { start: Date.UTC(2026, 1, 1), end: Date.UTC(2026, 2, 1) }
 * ```
 */
export function fixedWindowFrame(window: QuotaWindow, now: number): WindowFrame {
  if (window === 'month') {
    const d = new Date(now);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  }
  const len = SLIDING_WINDOW_MS[window];
  const start = Math.floor(now / len) * len;
  return { start, end: start + len };
}

/**
 * Every fixed window frame at `now`, in a flat array `[minuteStart, minuteEnd, hourStart, …, monthEnd]`
 * (what the Redis scripts receive, so the calendar is computed in one place).
 *
 * @example
 * ```ts
 * import { fixedWindowFrames } from '@intelgraph/core';
 * fixedWindowFrames(Date.now()).length; // 8
 * ```
 */
export function fixedWindowFrames(now: number): number[] {
  const out: number[] = [];
  for (const w of ['minute', 'hour', 'day', 'month'] as const) {
    const f = fixedWindowFrame(w, now);
    out.push(f.start, f.end);
  }
  return out;
}

/**
 * The start of the window a usage at `now` belongs to, for once-per-window alerting. Sliding windows use
 * consecutive, non-overlapping periods of the window length.
 *
 * @example
 * ```ts
 * import { alertWindowStart } from '@intelgraph/core';
 * alertWindowStart({ window: 'hour', windowKind: 'fixed' }, Date.UTC(2026, 0, 1, 10, 30)); // Date.UTC(2026, 0, 1, 10)
 * ```
 */
export function alertWindowStart(rule: Pick<QuotaRule, 'window' | 'windowKind'>, now: number): number {
  if (rule.windowKind === 'fixed') return fixedWindowFrame(rule.window, now).start;
  const len = SLIDING_WINDOW_MS[rule.window];
  return Math.floor(now / len) * len;
}

/**
 * The stable key of a rule inside its org: `<plugin or *>|<resource>|<window>`.
 *
 * @example
 * ```ts
 * import { quotaRuleKey } from '@intelgraph/core';
 * quotaRuleKey({ scope: { org: 'acme' }, resource: 'calls', window: 'day' }); // '*|calls|day'
 * ```
 */
export function quotaRuleKey(rule: Pick<QuotaRule, 'scope' | 'resource' | 'window'>): string {
  return `${rule.scope.plugin ?? '*'}|${rule.resource}|${rule.window}`;
}

/**
 * The storage field of a target (`global`, `org:<org>`, `plugin:<plugin>`, `org:<org>/plugin:<plugin>`).
 *
 * @example
 * ```ts
 * import { killSwitchKey } from '@intelgraph/core';
 * killSwitchKey({ org: 'acme', plugin: 'x' }); // 'org:acme/plugin:x'
 * ```
 */
export function killSwitchKey(target: KillSwitchTarget): string {
  const parts: string[] = [];
  if (target.org !== undefined) parts.push(`org:${target.org}`);
  if (target.plugin !== undefined) parts.push(`plugin:${target.plugin}`);
  return parts.length === 0 ? 'global' : parts.join('/');
}

/**
 * The four keys that can stop a call by `plugin` in `org`, in precedence order.
 *
 * @example
 * ```ts
 * import { killSwitchKeysFor } from '@intelgraph/core';
 * killSwitchKeysFor({ org: 'acme', plugin: 'p' }); // ['global', 'org:acme', 'plugin:p', 'org:acme/plugin:p']
 * ```
 */
export function killSwitchKeysFor(call: { org: string; plugin: string }): string[] {
  return [
    killSwitchKey({}),
    killSwitchKey({ org: call.org }),
    killSwitchKey({ plugin: call.plugin }),
    killSwitchKey({ org: call.org, plugin: call.plugin }),
  ];
}
