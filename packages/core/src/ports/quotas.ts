// Ports of the quota domain: quota counters and reservations, kill-switch flags, rate limits and the
// alert notifier. Owned by @intelgraph/finops (in-memory implementations) and implemented on Redis by
// @intelgraph/adapters/redis. Type-only, so core stays free of I/O.

/** What a quota counts: plugin calls, CPU milliseconds inside the sandbox, or rows returned to plugins. */
export type QuotaResource = 'calls' | 'cpuMs' | 'rows';

/** The length of a quota window. Fixed windows follow the UTC calendar; sliding ones are 60 s, 1 h, 24 h, 30 d. */
export type QuotaWindow = 'minute' | 'hour' | 'day' | 'month';

/**
 * `fixed` windows reset at the calendar boundary; `sliding` windows look back one window length from now,
 * counted in 60 sub-buckets (a request is checked against the buckets that overlap the window, so a
 * sliding limit is never exceeded in any window; it may deny up to one bucket early).
 */
export type QuotaWindowKind = 'fixed' | 'sliding';

/** `hard` limits deny with `QUOTA_EXCEEDED`; `soft` limits allow and flag. */
export type QuotaMode = 'hard' | 'soft';

/** Whom a quota applies to: a whole org, or one plugin inside an org. */
export interface QuotaScope {
  org: string;
  plugin?: string;
}

/** One limit. A rule is identified by its scope, resource and window; setting it again replaces it. */
export interface QuotaRule {
  scope: QuotaScope;
  resource: QuotaResource;
  /** A non-negative whole number in the resource's unit. */
  limit: number;
  window: QuotaWindow;
  windowKind: QuotaWindowKind;
  mode: QuotaMode;
}

/** Amounts of each resource (whole numbers, zero when absent from a request). */
export type QuotaAmounts = Record<QuotaResource, number>;

/** How much of one rule is used at a moment. */
export interface QuotaRuleUsage {
  rule: QuotaRule;
  /** Usage counted in the rule's current window, after the operation. */
  used: number;
  /** `max(0, limit - used)`. */
  remaining: number;
  /** Epoch ms when the window resets (fixed) or when the oldest counted usage starts to leave it (sliding). */
  resetAt: number;
}

/** A threshold (for example 0.8 or 1) of a rule reached for the first time in a window. */
export interface QuotaThresholdCrossing {
  rule: QuotaRule;
  /** The fraction of the limit, as configured (0.8 = 80 %). */
  threshold: number;
  used: number;
  /** Start of the window the crossing belongs to (epoch ms); a threshold fires once per window. */
  windowStart: number;
}

/** A request to charge usage against every rule that applies to `org` and `plugin`. */
export interface QuotaChargeRequest {
  org: string;
  plugin: string;
  amounts: QuotaAmounts;
  /** Epoch ms, from the caller's clock. */
  now: number;
  /** Present for a reservation: it is returned to the quota at `expiresAt` unless settled before. */
  reservation?: { id: string; expiresAt: number };
  /** Fractions of a limit at which a crossing is reported once per window (for example `[0.8, 1]`). */
  alertThresholds: readonly number[];
}

/**
 * The outcome of a charge. When denied, nothing was charged; `denied` names the first hard rule that
 * would have been exceeded, with its usage before the request.
 */
export type QuotaChargeResult =
  | {
      ok: true;
      /** Every applicable rule (hard and soft) after the charge. */
      usage: QuotaRuleUsage[];
      /** Soft rules over their limit after the charge. */
      flagged: QuotaRuleUsage[];
      crossings: QuotaThresholdCrossing[];
      /**
       * True when the store was unreachable and its configured fail-open policy allowed the charge without
       * counting it (never silent: callers see this flag, and the store reports the outage).
       */
      degraded?: boolean;
    }
  | {
      ok: false;
      denied: QuotaRuleUsage & { requested: number };
      usage: QuotaRuleUsage[];
    };

/** Settles a reservation with the amounts actually used (replacing the reserved estimate). */
export interface QuotaSettleRequest {
  org: string;
  reservationId: string;
  actual: QuotaAmounts;
  now: number;
  alertThresholds: readonly number[];
}

/** `settled: false` when the reservation is unknown: already settled, or expired and returned. */
export type QuotaSettleResult =
  | { settled: true; reserved: QuotaAmounts; crossings: QuotaThresholdCrossing[] }
  | { settled: false };

/**
 * Port: quota rules and counters. Every `charge` checks all applicable hard rules and charges all of
 * them, or none, atomically (one round trip on Redis); expired reservations are returned to the quota
 * before a charge is checked. Rules live in the store, so every host sharing it enforces the same limits.
 */
export interface QuotaStore {
  setRule(rule: QuotaRule): Promise<void>;
  /** Removes the rule with this scope, resource and window; false when there was none. */
  removeRule(rule: Pick<QuotaRule, 'scope' | 'resource' | 'window'>): Promise<boolean>;
  /** Rules of an org (org-wide and per-plugin). */
  listRules(org: string): Promise<QuotaRule[]>;
  charge(request: QuotaChargeRequest): Promise<QuotaChargeResult>;
  settle(request: QuotaSettleRequest): Promise<QuotaSettleResult>;
  /** Usage of the rules that apply to `org` and `plugin` (all rules of the org when `plugin` is absent). */
  usage(query: { org: string; plugin?: string; now: number }): Promise<QuotaRuleUsage[]>;
}

/** Where a kill switch applies: `{}` everywhere, `{ org }`, `{ plugin }` in every org, or `{ org, plugin }`. */
export interface KillSwitchTarget {
  org?: string;
  plugin?: string;
}

/** An engaged kill switch. */
export interface KillSwitchEntry {
  target: KillSwitchTarget;
  reason: string;
  /** Who engaged it (user id). */
  engagedBy: string;
  /** ISO-8601 time it was engaged. */
  engagedAt: string;
}

/**
 * Port: kill-switch flags shared by every host. `active` returns every engaged switch that applies to a
 * call (at most four); callers apply precedence (global, org, plugin, plugin in org).
 */
export interface KillSwitchStore {
  engage(entry: KillSwitchEntry): Promise<void>;
  /** False when no switch was engaged for exactly this target. */
  release(target: KillSwitchTarget): Promise<boolean>;
  list(): Promise<KillSwitchEntry[]>;
  active(call: { org: string; plugin: string }): Promise<KillSwitchEntry[]>;
}

/** A rate limit: at most `limit` requests per `intervalMs`, allowing bursts of up to `burst` (default `limit`). */
export interface RateLimitRule {
  limit: number;
  intervalMs: number;
  burst?: number;
}

/** The outcome of taking one token. */
export type RateLimitResult =
  | { ok: true; remaining: number; resetAt: number }
  | { ok: false; remaining: 0; retryAfterMs: number; resetAt: number };

/** Port: a shared rate limiter (GCRA), one atomic round trip per `take`. */
export interface RateLimitStore {
  take(key: string, rule: RateLimitRule, now: number): Promise<RateLimitResult>;
}

/** A quota alert, delivered to subscribers and to the notifier. */
export interface QuotaAlert {
  /** Stable id: the same crossing seen twice has the same id. */
  id: string;
  kind: 'quota.threshold';
  org: string;
  plugin: string | null;
  resource: QuotaResource;
  window: QuotaWindow;
  mode: QuotaMode;
  limit: number;
  used: number;
  threshold: number;
  /** ISO-8601 start of the window. */
  windowStart: string;
  /** ISO-8601 time the crossing was observed. */
  at: string;
}

/** Port: where quota alerts go (a webhook, a chat bridge, an in-memory list in tests). */
export interface AlertNotifier {
  notify(alert: QuotaAlert): Promise<void>;
}
