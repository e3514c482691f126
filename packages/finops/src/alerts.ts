import {
  type AlertNotifier,
  type Clock,
  type QuotaAlert,
  type QuotaThresholdCrossing,
  sha256Hex,
} from '@intelgraph/core';
import { quotaRuleKey } from './windows.js';

/** Receives quota alerts in process. */
export type AlertListener = (alert: QuotaAlert) => void;

/** Fans quota threshold crossings out to subscribers and to the notifier port. */
export interface AlertHub {
  /** Returns the function that unsubscribes. */
  subscribe(listener: AlertListener): () => void;
  publish(org: string, crossings: readonly QuotaThresholdCrossing[]): void;
  /** Resolves when every notification published so far has been handed to the notifier. */
  flush(): Promise<void>;
}

/**
 * Turns a store's threshold crossing into a {@link QuotaAlert} with a stable id.
 *
 * @example
 * ```ts
 * import { toQuotaAlert } from '@intelgraph/finops';
 * const alert = toQuotaAlert('acme', crossing, Date.now());
 * alert.kind; // 'quota.threshold'
 * ```
 */
export function toQuotaAlert(org: string, c: QuotaThresholdCrossing, now: number): QuotaAlert {
  return {
    id: `qa_${sha256Hex(`${org}|${quotaRuleKey(c.rule)}|${c.windowStart}|${c.threshold}`).slice(0, 24)}`,
    kind: 'quota.threshold',
    org,
    plugin: c.rule.scope.plugin ?? null,
    resource: c.rule.resource,
    window: c.rule.window,
    mode: c.rule.mode,
    limit: c.rule.limit,
    used: c.used,
    threshold: c.threshold,
    windowStart: new Date(c.windowStart).toISOString(),
    at: new Date(now).toISOString(),
  };
}

/**
 * Creates an {@link AlertHub}. Listeners run synchronously; the notifier runs in the background and its
 * failures go to `onError` (an alert never fails the plugin run that caused it).
 *
 * @example
 * ```ts
 * import { systemClock } from '@intelgraph/core';
 * import { createAlertHub, createMemoryNotifier } from '@intelgraph/finops';
 * const notifier = createMemoryNotifier();
 * const hub = createAlertHub({ notifier, clock: systemClock });
 * const off = hub.subscribe((a) => console.log(a.org, a.threshold));
 * ```
 */
export function createAlertHub(options: {
  notifier?: AlertNotifier;
  clock: Clock;
  onError?: (error: unknown, alert: QuotaAlert) => void;
}): AlertHub {
  const listeners = new Set<AlertListener>();
  const pending = new Set<Promise<void>>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    publish(org, crossings) {
      const now = options.clock.now();
      for (const c of crossings) {
        const alert = toQuotaAlert(org, c, now);
        for (const l of listeners) {
          try {
            l(alert);
          } catch (err) {
            options.onError?.(err, alert);
          }
        }
        if (!options.notifier) continue;
        const p = options.notifier
          .notify(alert)
          .catch((err: unknown) => options.onError?.(err, alert))
          .finally(() => pending.delete(p));
        pending.add(p);
      }
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** An {@link AlertNotifier} that keeps alerts in a list (tests, the demo). */
export interface MemoryNotifier extends AlertNotifier {
  readonly alerts: readonly QuotaAlert[];
}

/**
 * Creates a {@link MemoryNotifier}.
 *
 * @example
 * ```ts
 * import { createMemoryNotifier } from '@intelgraph/finops';
 * const notifier = createMemoryNotifier();
 * notifier.alerts.length; // 0
 * ```
 */
export function createMemoryNotifier(): MemoryNotifier {
  const alerts: QuotaAlert[] = [];
  return {
    alerts,
    async notify(alert) {
      alerts.push(structuredClone(alert));
    },
  };
}
