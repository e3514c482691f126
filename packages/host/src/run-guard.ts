import { anyScopeCovers } from '@intelgraph/capabilities';
import { type Clock, IntelGraphError, toIntelGraphError } from '@intelgraph/core';

/** What the guards re-check, and how often at most. */
export interface RunGuardOptions {
  clock: Clock;
  /**
   * Re-reads what a run of `plugin` in `org` depends on (kill switches, the installation, its grants)
   * and returns the granted scopes; throws the typed denial (`KILL_SWITCH`, `NOT_FOUND`, `FORBIDDEN`).
   */
  validate(org: string, plugin: string): Promise<readonly string[]>;
  /**
   * How old a validation may get before a host call re-checks it (milliseconds of `clock`). Changes
   * made through this host reach its runs at once; this bounds how long a change made by another host
   * (another process sharing the stores) takes to reach a run that keeps calling the host.
   */
  recheckMs: number;
}

/** The guard of one run. */
export interface RunGuard {
  /** Aborted (with a typed `IntelGraphError` reason) when the run must stop. */
  readonly signal: AbortSignal;
  /**
   * Before each host call: nothing but two comparisons while nothing changed, else one shared
   * re-check. Throws (and aborts the run) when the kill switch, installation or grants no longer hold.
   */
  check(): void | Promise<void>;
  /** After the sandbox answered: the reason the run was stopped or no longer holds, or null. */
  settle(): Promise<IntelGraphError | null>;
  /** Forget the run (always call it, in a `finally`). */
  end(): void;
}

/** Every run in flight on this host, and the switch that re-checks them. */
export interface RunGuards {
  /** The current generation: read it before a run's first checks and pass it to {@link begin}. */
  generation(): number;
  begin(run: { org: string; plugin: string; scopes: readonly string[]; generation: number }): RunGuard;
  /**
   * Something changed for `target` (kill switch, uninstall, grant change): bumps the generation, so
   * every later host call re-checks, and re-checks the matching runs in flight now, aborting those that
   * no longer hold. Resolves once they were re-checked; never rejects.
   */
  invalidate(target: { org?: string; plugin?: string }): Promise<void>;
  /** Runs in flight. */
  readonly active: number;
}

interface ActiveRun {
  org: string;
  plugin: string;
  scopes: readonly string[];
  controller: AbortController;
  generation: number;
  validatedAt: number;
}

interface Validation {
  generation: number;
  at: number;
  scopes: Promise<readonly string[]>;
}

/**
 * Creates the host's run guards: grants and kill switches are read once at the start of a run and then
 * re-checked cheaply on each host call — a generation counter bumped by every change made through this
 * host (kill switch, uninstall, grant or revocation), plus a re-check when the last one is older than
 * `recheckMs` (changes made by other hosts). A re-check is one read shared by every run of the same
 * plugin and org. A run whose kill switch is engaged, whose plugin is uninstalled, or whose grants no
 * longer cover what it started with is aborted: its later host calls fail and its result is withheld.
 *
 * @example
 * ```ts
 * const guards = createRunGuards({ clock, recheckMs: 200, validate: async (org, plugin) => scopesOf(org, plugin) });
 * const guard = guards.begin({ org, plugin, scopes, generation: guards.generation() });
 * try { await sandbox.run({ ..., api: scopeHostApi(hostApi, scopes, { signal: guard.signal, beforeCall: guard.check }) }); }
 * finally { guard.end(); }
 * ```
 */
export function createRunGuards(options: RunGuardOptions): RunGuards {
  const { clock, recheckMs } = options;
  let generation = 0;
  const runs = new Set<ActiveRun>();
  const validations = new Map<string, Validation>();
  const keyOf = (org: string, plugin: string) => `${org}\u0000${plugin}`;

  const validation = (org: string, plugin: string, force: boolean): Validation => {
    const key = keyOf(org, plugin);
    const now = clock.now();
    const cached = validations.get(key);
    if (!force && cached && cached.generation === generation && now - cached.at < recheckMs) return cached;
    const fresh: Validation = { generation, at: now, scopes: options.validate(org, plugin) };
    // A failed read is not cached beyond this round: the next check reads again.
    fresh.scopes.catch(() => {
      if (validations.get(key) === fresh) validations.delete(key);
    });
    validations.set(key, fresh);
    if (validations.size > 10_000) validations.clear();
    return fresh;
  };

  const stop = (run: ActiveRun, error: IntelGraphError): IntelGraphError => {
    if (!run.controller.signal.aborted) run.controller.abort(error);
    return toIntelGraphError(run.controller.signal.reason);
  };

  const recheck = async (run: ActiveRun, v: Validation): Promise<IntelGraphError | null> => {
    let scopes: readonly string[];
    try {
      scopes = await v.scopes;
    } catch (err) {
      const e = toIntelGraphError(err);
      if (e.code === 'KILL_SWITCH') return stop(run, e);
      if (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')
        return stop(
          run,
          new IntelGraphError(
            'CAPABILITY_DENIED',
            `the installation of ${run.plugin} no longer holds: ${e.message}`,
            {
              details: { reason: 'installation_changed', cause: e.code },
            },
          ),
        );
      // Fail closed when the stores cannot answer, without handing their error text to the plugin.
      return stop(
        run,
        new IntelGraphError('UNAVAILABLE', `the grants of ${run.plugin} could not be re-checked`, {
          details: { reason: 'recheck_failed' },
        }),
      );
    }
    const lost = run.scopes.filter((s) => !anyScopeCovers(scopes, s));
    if (lost.length > 0)
      return stop(
        run,
        new IntelGraphError('CAPABILITY_DENIED', `grants revoked during the run: ${lost.join(', ')}`, {
          details: { reason: 'grant_revoked', scopes: lost },
        }),
      );
    if (v.generation >= run.generation) {
      run.generation = v.generation;
      run.validatedAt = v.at;
    }
    return null;
  };

  return {
    generation: () => generation,
    get active() {
      return runs.size;
    },
    begin(input) {
      const run: ActiveRun = {
        org: input.org,
        plugin: input.plugin,
        scopes: [...input.scopes],
        controller: new AbortController(),
        generation: input.generation,
        validatedAt: clock.now(),
      };
      runs.add(run);
      const signal = run.controller.signal;
      const current = () => run.generation === generation && clock.now() - run.validatedAt < recheckMs;
      return {
        signal,
        check() {
          if (signal.aborted) throw signal.reason;
          if (current()) return;
          return recheck(run, validation(run.org, run.plugin, false)).then((stopped) => {
            if (stopped) throw stopped;
          });
        },
        async settle() {
          if (signal.aborted) return toIntelGraphError(signal.reason);
          if (current()) return null;
          return recheck(run, validation(run.org, run.plugin, false));
        },
        end() {
          runs.delete(run);
        },
      };
    },
    async invalidate(target) {
      generation += 1;
      const matching = [...runs].filter(
        (r) =>
          (target.org === undefined || r.org === target.org) &&
          (target.plugin === undefined || r.plugin === target.plugin),
      );
      const fresh = new Map<string, Validation>();
      await Promise.all(
        matching.map((run) => {
          const key = keyOf(run.org, run.plugin);
          let v = fresh.get(key);
          if (!v) {
            v = validation(run.org, run.plugin, true);
            fresh.set(key, v);
          }
          return recheck(run, v).catch(() => null);
        }),
      );
    },
  };
}
