// The state every marketplace concern shares (options, the trust store, the search index's staleness,
// the verification cache) and the small helpers they all use. createMarketplace builds one context and
// hands it to each concern module.
import type { CapabilityBroker } from '@intelgraph/capabilities';
import {
  type Actor,
  ActorSchema,
  type AuditTrail,
  type Authorizer,
  type Clock,
  createAuthorizer,
  type IdSource,
  type InstallationRecord,
  IntelGraphError,
  type MarketplaceStore,
  parseInput,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import { z } from 'zod';
import type { KeyInput } from '../keys.js';
import type { InstallationView, MarketplaceOptions } from '../marketplace.js';
import { DEFAULT_RATING_POLICY, type RatingPolicy } from '../rating.js';
import { createSearchIndex, type SearchIndex } from '../search.js';
import type { VerifiedPackage } from '../signing.js';
import { createTrustStore, type TrustStore } from '../trust-store.js';

export const Id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:+-]+$/u);
export const PluginId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a plugin name');
export const VersionSpec = z.string().min(1).max(128);
export const Scopes = z.array(z.string().min(3).max(300)).max(128);
export const Reason = z.string().trim().min(1).max(500);

export const minus = (a: readonly string[], b: readonly string[]): string[] =>
  a.filter((x) => !b.includes(x));
export const union = (a: readonly string[], b: readonly string[]): string[] =>
  [...new Set([...a, ...b])].sort();

/** What every concern of the marketplace reads and writes. */
export interface MarketContext {
  readonly options: MarketplaceOptions;
  readonly store: MarketplaceStore;
  readonly broker: CapabilityBroker;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Decides every role check (`plugins.install`, `plugins.moderate`, `plugins.operate`). */
  readonly authorizer: Authorizer;
  readonly ratingPolicy: RatingPolicy;
  readonly reportThreshold: number;
  readonly trust: TrustStore;
  /** The in-process search index, rebuilt when older than `maxStalenessMs` or marked dirty. */
  readonly index: SearchIndex;
  readonly maxStalenessMs: number;
  indexBuiltAt: number;
  /** Verified packages by digest: verification happens at publish, install and on the first load per process. */
  readonly verifiedCache: Map<string, VerifiedPackage>;
  /** The current time as an ISO string. */
  now(): string;
  /** Adds the publisher keys passed as `options.trust` to the trust store, once. */
  ready(): Promise<void>;
  /** Forces the next listing or search to rebuild the index. */
  markDirty(): void;
}

/** Builds the shared context from the marketplace's options. */
export function createMarketContext(options: MarketplaceOptions): MarketContext {
  const clock = options.clock ?? systemClock;
  const trust: TrustStore =
    options.trust !== undefined && !Array.isArray(options.trust)
      ? (options.trust as TrustStore)
      : createTrustStore({ store: options.store, clock });
  const seeds = Array.isArray(options.trust)
    ? (options.trust as readonly { publisher: string; publicKey: KeyInput }[])
    : [];
  let seeded: Promise<void> | null = null;
  const ctx: MarketContext = {
    options,
    store: options.store,
    broker: options.broker,
    audit: options.audit,
    clock,
    ids: options.ids ?? randomIds,
    authorizer: options.authorizer ?? createAuthorizer(),
    ratingPolicy: { ...DEFAULT_RATING_POLICY, ...options.ratings },
    reportThreshold: options.reportThreshold ?? 3,
    trust,
    index: createSearchIndex(options.search ?? {}),
    maxStalenessMs: options.search?.maxStalenessMs ?? 30_000,
    indexBuiltAt: Number.NEGATIVE_INFINITY,
    verifiedCache: new Map(),
    now: () => new Date(clock.now()).toISOString(),
    ready() {
      seeded ??= (async () => {
        for (const s of seeds) await trust.add(s.publisher, s.publicKey);
      })();
      return seeded;
    },
    markDirty() {
      ctx.indexBuiltAt = Number.NEGATIVE_INFINITY;
    },
  };
  return ctx;
}

/** Validates an actor at a public entry point. */
export function actorOf(actor: unknown): Actor {
  return parseInput(ActorSchema, actor, 'actor');
}

/** The actor as audit events record it. */
export const auditActor = (a: Actor) => ({ userId: a.userId, orgId: a.orgId });

/** An installation with the scopes the broker currently grants it. */
export async function view(ctx: MarketContext, inst: InstallationRecord): Promise<InstallationView> {
  return { ...inst, grants: await ctx.broker.scopes(inst.orgId, inst.pluginId) };
}

/** The org's installation of a plugin, or `NOT_FOUND`. */
export async function mustInstallation(
  ctx: MarketContext,
  orgId: string,
  pluginId: string,
): Promise<InstallationRecord> {
  const inst = await ctx.store.getInstallation(orgId, pluginId);
  if (!inst) throw new IntelGraphError('NOT_FOUND', `${pluginId} is not installed in ${orgId}`);
  return inst;
}

/** Tells the host to drop compiled code of a digest; false when there is no hook or it failed. */
export async function evict(ctx: MarketContext, codeSha256: string): Promise<boolean> {
  if (!ctx.options.evict) return false;
  try {
    await ctx.options.evict(codeSha256);
    return true;
  } catch {
    return false; // eviction is a cache concern: the uninstall itself has already happened
  }
}
