import {
  type AbuseReportRecord,
  type Actor,
  IntelGraphError,
  type PublisherKeyRecord,
  parseInput,
  type RatingRecord,
} from '@intelgraph/core';
import type {
  InstallationView,
  KeyInput,
  Marketplace,
  ModerationItem,
  ModerationQueue,
  PluginDetail,
  PluginSummary,
  SearchHit,
  SearchQuery,
  VersionSummary,
} from '@intelgraph/marketplace';
import { z } from 'zod';
import { negotiatedInstall, renegotiateInstallation } from '../contract-versions.js';
import { NameSchema } from '../inputs.js';
import type { InstallStatus } from '../install-requests.js';
import { type PluginRunResult, runPlugin } from '../plugin-run.js';
import { type ReplayResult, replayRun } from '../replay.js';
import { parseOwnedPayload } from '../review-kinds.js';
import { inSpan } from '../tracing.js';
import type { HostViews } from '../views.js';
import { actorOf, type HostContext, type InstallOutcome } from './context.js';

/**
 * Install count and ratings (newest first) of a plugin.
 *
 * @example
 * ```ts
 * const { installCount, ratings } = await host.plugins.stats(analyst, 'sample-enricher');
 * ```
 */
export type CatalogStats = Awaited<ReturnType<HostViews['catalogStats']>>;

/**
 * `host.plugins`: the catalog, installations in the actor's org, runs and replays. Changes to an
 * installation need `plugins.install`; moderation `plugins.moderate`; publisher keys `plugins.operate`
 * (see `DEFAULT_PERMISSIONS`).
 *
 * @example
 * ```ts
 * await host.plugins.publish(null, signedPackage);
 * await host.plugins.install(admin, { pluginId: 'sample-enricher' });
 * const r = await host.plugins.run(analyst, 'sample-enricher', { q: 'acme' });
 * ```
 */
export interface PluginsApi {
  /** Publishes a signed plugin package (the publisher's key must be trusted). */
  publish(actor: Actor | null, pkg: unknown): Promise<VersionSummary & { pluginId: string }>;
  /**
   * Installs with the required scopes and the chosen optional ones; a high-risk install opens a review
   * and returns `pending_review` (as data, never an error). A second request for the same plugin and
   * version while one is open is `CONFLICT` (`details.reason: 'duplicate_request'`).
   */
  install(
    actor: Actor,
    input: { pluginId: string; version?: string; grant?: string[] },
  ): Promise<InstallOutcome>;
  /** Installed, pending review or not installed in the actor's org, with the open requests. */
  status(actor: Actor, pluginId: string): Promise<InstallStatus>;
  /** Uninstalls from the actor's org, revoking every grant; runs in flight are ended first. */
  uninstall(actor: Actor, pluginId: string): Promise<{ revoked: string[] }>;
  /** Sets the optional scopes the org grants (adding may need review when it makes the plugin high-risk). */
  setOptionalScopes(actor: Actor, pluginId: string, scopes: string[]): Promise<InstallOutcome>;
  /** Moves the org's installation to a newer version (or `version`), renegotiating contract versions. */
  update(actor: Actor, pluginId: string, input?: { version?: string }): Promise<InstallOutcome>;
  /** Consents to the scopes an update added (the installation is disabled until then). */
  consent(actor: Actor, pluginId: string): Promise<InstallOutcome>;
  /** The installations of the actor's org. */
  installations(actor: Actor): Promise<InstallationView[]>;
  /** One installation of the actor's org (`NOT_FOUND` when the plugin is not installed there). */
  installation(actor: Actor, pluginId: string): Promise<InstallationView>;
  /**
   * The hot path: kill switch, installation, quota, contracts, sandbox, settle, audit. `T` is the
   * plugin's output type as the caller expects it (not checked at runtime: use an output contract).
   */
  run<T = unknown>(actor: Actor, pluginId: string, input: unknown): Promise<PluginRunResult<T>>;
  /**
   * Re-executes a recorded run (pinned code, input, seed, clock, recorded host responses; no live
   * data; the same budgets) and says whether it is identical, or where it first diverged. Only the
   * run's org, with `runs.replay`. Audited.
   */
  replay(actor: Actor, runId: string): Promise<ReplayResult>;
  /** The catalog, best rated first (hidden versions are left out). */
  list(actor: Actor, query?: Omit<SearchQuery, 'q'>): Promise<PluginSummary[]>;
  /** Ranked catalog search. */
  search(actor: Actor, query: SearchQuery): Promise<SearchHit[]>;
  /** A plugin with its manifest and every version (`NOT_FOUND` when unknown). */
  get(actor: Actor, pluginId: string): Promise<PluginDetail>;
  /** Every version of a plugin as the catalog lists them (yanked and hidden ones marked). */
  versions(actor: Actor, pluginId: string): Promise<VersionSummary[]>;
  /** Install count and ratings (newest first) of a plugin. */
  stats(actor: Actor, pluginId: string): Promise<CatalogStats>;
  /** Rates a plugin (one rating per user; a second one replaces the first). */
  rate(actor: Actor, pluginId: string, input: { stars: number; comment?: string }): Promise<RatingRecord>;
  /** Files an abuse report against a version. */
  report(
    actor: Actor,
    input: { pluginId: string; version: string; category: AbuseReportRecord['category']; details?: string },
  ): Promise<AbuseReportRecord>;
  /** Yanks a version: its publisher, or `plugins.operate` for any version. */
  yank(actor: Actor, input: { pluginId: string; version: string; reason: string }): Promise<VersionSummary>;
  /** Trusts a publisher key (`plugins.operate`). */
  trustKey(actor: Actor, publisherId: string, publicKey: KeyInput): Promise<PublisherKeyRecord>;
  /** Rotates a publisher's key (`plugins.operate`). */
  rotateKey(
    actor: Actor,
    publisherId: string,
    publicKey: KeyInput,
    reason?: string,
  ): Promise<PublisherKeyRecord>;
  /** Revokes a key: its versions are yanked and the installations running them disabled (`plugins.operate`). */
  revokeKey(
    actor: Actor,
    keyId: string,
    reason: string,
  ): Promise<{ versions: string[]; installations: InstallationView[] }>;
  /** The moderation queue (`plugins.moderate`). */
  readonly moderation: {
    queue(actor: Actor, query?: { includeResolved?: boolean }): Promise<ModerationQueue>;
    setHidden(
      actor: Actor,
      input: { pluginId: string; version: string; hidden: boolean; reason: string },
    ): Promise<ModerationItem>;
    resolve(
      actor: Actor,
      input: { pluginId: string; version: string; outcome: 'upheld' | 'dismissed'; reason: string },
    ): Promise<ModerationItem>;
  };
}

const InstallInput = z
  .object({
    pluginId: NameSchema,
    version: z.string().min(1).max(100).optional(),
    grant: z.array(z.string().min(1).max(200)).max(128).optional(),
  })
  .strict();

const UpdateInput = z.object({ version: z.string().min(1).max(100).optional() }).strict();

const RunIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/);

const pluginIdOf = (raw: unknown): string => parseInput(NameSchema, raw, 'pluginId');

// A high-risk change comes back from the marketplace as APPROVAL_REQUIRED naming the review it opened.
async function installOutcome(
  ctx: HostContext,
  actor: Actor,
  fn: () => Promise<InstallationView>,
): Promise<InstallOutcome> {
  try {
    return { status: 'installed', installation: await fn() };
  } catch (err) {
    const ref = err instanceof IntelGraphError ? err.details.ref : undefined;
    if (err instanceof IntelGraphError && err.code === 'APPROVAL_REQUIRED' && typeof ref === 'string') {
      const reviewTask = await ctx.governance.get(actor, ref);
      if (reviewTask.state === 'applied') {
        const p = parseOwnedPayload('pluginInstall', reviewTask);
        const installation = (await ctx.marketplace.installations(actor.orgId)).find(
          (i) => i.pluginId === p.pluginId,
        );
        if (installation) return { status: 'installed', installation };
      }
      return { status: 'pending_review', reviewTask };
    }
    throw err;
  }
}

/** An installation change by an actor holding `plugins.install`; runs in flight re-check after it. */
function installChanges(ctx: HostContext) {
  const { authorizer, marketplace, runGuards } = ctx;
  const changing = (raw: unknown, what: string): Actor => {
    const actor = actorOf(raw);
    authorizer.require(actor, 'plugins.install', what);
    return actor;
  };
  const after = async <T>(actor: Actor, pluginId: string, r: T): Promise<T> => {
    await runGuards.invalidate({ org: actor.orgId, plugin: pluginId });
    return r;
  };
  return {
    install: (actorInput: Actor, raw: unknown) =>
      inSpan(ctx.tracer, 'intelgraph.marketplace.install', undefined, async () => {
        const actor = changing(actorInput, 'installing a plugin');
        // No `approvalRef` from callers: only the applier of an approved review passes one.
        const input = parseInput(InstallInput, raw, 'install');
        return installOutcome(ctx, actor, () =>
          negotiatedInstall(ctx.negotiation, actor, input, () => marketplace.install(actor, input)),
        );
      }),
    uninstall: async (actorInput: Actor, raw: string) => {
      const actor = changing(actorInput, 'uninstalling a plugin');
      const pluginId = pluginIdOf(raw);
      // Runs in flight are ended before this returns.
      return after(actor, pluginId, await marketplace.uninstall(actor, pluginId));
    },
    setOptionalScopes: async (actorInput: Actor, raw: string, scopes: string[]) => {
      const actor = changing(actorInput, 'changing optional scopes');
      const pluginId = pluginIdOf(raw);
      const outcome = await installOutcome(ctx, actor, () =>
        marketplace.setOptionalScopes(actor, pluginId, { scopes }),
      );
      return after(actor, pluginId, outcome);
    },
    update: async (actorInput: Actor, raw: string, input: unknown = {}) => {
      const actor = changing(actorInput, 'updating a plugin');
      const pluginId = pluginIdOf(raw);
      const { version } = parseInput(UpdateInput, input, 'update');
      const outcome = await installOutcome(ctx, actor, async () =>
        renegotiateInstallation(
          ctx.negotiation,
          await marketplace.update(actor, pluginId, version === undefined ? {} : { version }),
        ),
      );
      return after(actor, pluginId, outcome);
    },
    consent: async (actorInput: Actor, raw: string) => {
      const actor = changing(actorInput, 'consenting to scopes');
      const pluginId = pluginIdOf(raw);
      return after(
        actor,
        pluginId,
        await installOutcome(ctx, actor, () => marketplace.consent(actor, pluginId)),
      );
    },
  };
}

function catalog(ctx: HostContext, marketplace: Marketplace) {
  return {
    list: async (actor: Actor, query: Omit<SearchQuery, 'q'> = {}) => {
      actorOf(actor);
      return marketplace.list(query);
    },
    search: async (actor: Actor, query: SearchQuery) => {
      actorOf(actor);
      return marketplace.search(query);
    },
    get: async (actor: Actor, pluginId: string) => {
      actorOf(actor);
      return marketplace.detail(pluginIdOf(pluginId));
    },
    versions: async (actor: Actor, pluginId: string) => {
      actorOf(actor);
      return (await marketplace.detail(pluginIdOf(pluginId))).versions;
    },
    stats: async (actor: Actor, pluginId: string) => {
      actorOf(actor);
      return ctx.views.catalogStats(pluginIdOf(pluginId));
    },
    rate: async (actor: Actor, pluginId: string, input: { stars: number; comment?: string }) =>
      marketplace.rate(actorOf(actor), pluginIdOf(pluginId), input),
    report: async (actor: Actor, input: Parameters<Marketplace['report']>[1]) =>
      marketplace.report(actorOf(actor), input),
  };
}

/** Creates `host.plugins` over the host's context. */
export function createPluginsApi(ctx: HostContext): PluginsApi {
  const { authorizer, marketplace } = ctx;
  const operator = (raw: unknown, what: string): Actor => {
    const actor = actorOf(raw);
    authorizer.require(actor, 'plugins.operate', what);
    return actor;
  };
  const moderator = (raw: unknown, what: string): Actor => {
    const actor = actorOf(raw);
    authorizer.require(actor, 'plugins.moderate', what);
    return actor;
  };
  // Built once: the run's dependencies are the host's, the same for every run (the hot path allocates none).
  const runDeps = {
    marketplace,
    finops: ctx.finops,
    sandbox: ctx.sandbox,
    gates: ctx.gates,
    hostApi: ctx.hostApi,
    audit: ctx.audit,
    ids: ctx.ids,
    guards: ctx.runGuards,
    versions: ctx.runVersions,
    tracer: ctx.tracer,
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    replay: { policy: ctx.replayPolicy, store: ctx.stores.replays, now: () => ctx.clock.now() },
  };
  return {
    publish: async (actor, pkg) =>
      inSpan(ctx.tracer, 'intelgraph.marketplace.publish', undefined, () =>
        marketplace.publish(pkg, actor ? { actor: actorOf(actor) } : {}),
      ),
    ...installChanges(ctx),
    status: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      const pluginId = pluginIdOf(raw);
      const [installations, pendingRequests] = await Promise.all([
        marketplace.installations(actor.orgId),
        ctx.installRequests.open(actor.orgId, pluginId),
      ]);
      const installation = installations.find((i) => i.pluginId === pluginId) ?? null;
      return {
        status: installation ? 'installed' : pendingRequests.length > 0 ? 'pending_review' : 'not_installed',
        installation,
        pendingRequests,
      };
    },
    installations: async (actor) => marketplace.installations(actorOf(actor).orgId),
    installation: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      const pluginId = pluginIdOf(raw);
      const found = (await marketplace.installations(actor.orgId)).find((i) => i.pluginId === pluginId);
      if (!found) throw new IntelGraphError('NOT_FOUND', `${pluginId} is not installed in ${actor.orgId}`);
      return found;
    },
    run: async <T = unknown>(actor: Actor, pluginId: string, input: unknown) =>
      runPlugin<T>(runDeps, actorOf(actor), pluginIdOf(pluginId), input),
    replay: async (actorInput, runId) =>
      replayRun(
        {
          store: ctx.stores.replays,
          sandbox: ctx.sandbox,
          audit: ctx.audit,
          authorizer,
          now: () => ctx.clock.now(),
        },
        actorOf(actorInput),
        parseInput(RunIdSchema, runId, 'runId'),
      ),
    ...catalog(ctx, marketplace),
    yank: async (actor, input) => marketplace.yank(actorOf(actor), input),
    trustKey: async (actor, publisherId, key) =>
      marketplace.trustKey(operator(actor, 'trusting a publisher key'), publisherId, key),
    rotateKey: async (actor, publisherId, key, reason) =>
      marketplace.rotateKey(operator(actor, 'rotating a publisher key'), publisherId, key, reason),
    revokeKey: async (actor, keyId, reason) =>
      marketplace.revokeKey(operator(actor, 'revoking a publisher key'), keyId, reason),
    moderation: {
      queue: async (actor, query = {}) =>
        marketplace.moderation.queue(moderator(actor, 'the moderation queue'), query),
      setHidden: async (actor, input) =>
        marketplace.moderation.setHidden(moderator(actor, 'hiding a version'), input),
      resolve: async (actor, input) =>
        marketplace.moderation.resolve(moderator(actor, 'resolving reports'), input),
    },
  };
}
