import {
  type AbuseCategory,
  type AbuseReportRecord,
  type Actor,
  ActorSchema,
  type AuditTrail,
  type Authorizer,
  createAuthorizer,
  IntelGraphError,
  type MarketplaceStore,
  parseInput,
} from '@intelgraph/core';
import { z } from 'zod';

/** One plugin version in the moderation queue, with its abuse reports. */
export interface ModerationItem {
  pluginId: string;
  version: string;
  /** Hidden from search (by enough reports or by a moderator). */
  hidden: boolean;
  hiddenReason: string | null;
  /** Open reports first, newest first. */
  reports: AbuseReportRecord[];
  openReports: number;
  /** Distinct orgs with an open report (what auto-hiding counts). */
  reportingOrgs: number;
  /** Open reports per category. */
  categories: { category: AbuseCategory; count: number }[];
  /** When the newest report arrived. */
  lastReportedAt: string | null;
}

/** A moderator's decision on the open reports of a version, from the audit log. */
export interface ModerationResolution {
  pluginId: string;
  version: string;
  outcome: 'upheld' | 'dismissed';
  reason: string;
  reports: string[];
  moderator: string;
  at: string;
}

/** The moderation queue: versions with open reports or hidden, and the latest resolutions. */
export interface ModerationQueue {
  items: ModerationItem[];
  recent: ModerationResolution[];
}

/**
 * Moderation of abuse reports: the queue per plugin and version, hide and unhide, and resolving the
 * open reports with a reason. Every change is an audit event; only moderators may act.
 */
export interface Moderation {
  /** Versions with open reports (or hidden), most reported first; `includeResolved` adds closed ones. */
  queue(actor: Actor, query?: { includeResolved?: boolean }): Promise<ModerationQueue>;
  /** Hides a version from search or shows it again; its reports stay open until resolved. */
  setHidden(
    actor: Actor,
    input: { pluginId: string; version: string; hidden: boolean; reason: string },
  ): Promise<ModerationItem>;
  /** Resolves every open report of a version as upheld or dismissed, with the moderator's reason. */
  resolve(
    actor: Actor,
    input: { pluginId: string; version: string; outcome: 'upheld' | 'dismissed'; reason: string },
  ): Promise<ModerationItem>;
}

/** What {@link createModeration} needs; the marketplace passes its own. */
export interface ModerationDeps {
  store: MarketplaceStore;
  audit: AuditTrail;
  /**
   * Decides who may moderate (`plugins.moderate`, a platform permission: its roles count only in the
   * authorizer's `platformOrgs`). Default: `createAuthorizer()`.
   */
  authorizer?: Authorizer;
  now: () => string;
  /** Tells the search index that visibility changed. */
  onVisibilityChange: () => void;
}

const Id = z.string().trim().min(1).max(200);
const Reason = z.string().trim().min(1).max(500);
const QuerySchema = z.object({ includeResolved: z.boolean().optional() }).strict();
const HideSchema = z.object({ pluginId: Id, version: Id, hidden: z.boolean(), reason: Reason }).strict();
const ResolveSchema = z
  .object({ pluginId: Id, version: Id, outcome: z.enum(['upheld', 'dismissed']), reason: Reason })
  .strict();

const RECENT = 20;

/** The newest resolutions (at most {@link RECENT}), newest first, from the audit log. */
async function recentResolutions(audit: AuditTrail): Promise<ModerationResolution[]> {
  // The audit log lists oldest first: page through it, keeping the newest resolutions.
  let events: Awaited<ReturnType<AuditTrail['list']>> = [];
  let afterSeq: number | undefined;
  for (;;) {
    const page = await audit.list({
      type: 'moderation.resolved',
      limit: 1000,
      ...(afterSeq === undefined ? {} : { afterSeq }),
    });
    events = [...events, ...page].slice(-RECENT);
    if (page.length < 1000) break;
    afterSeq = page.at(-1)?.seq;
  }
  return events.reverse().map((e) => {
    const d = e.data as Record<string, unknown>;
    return {
      pluginId: e.subject.replace(/^plugin:/, ''),
      version: String(d.version ?? ''),
      outcome: d.outcome === 'upheld' ? ('upheld' as const) : ('dismissed' as const),
      reason: String(d.reason ?? ''),
      reports: Array.isArray(d.reports) ? d.reports.map(String) : [],
      moderator: e.actor?.userId ?? '',
      at: e.at,
    };
  });
}

/**
 * Creates the moderation workflow over the marketplace store (wired by `createMarketplace` as
 * `market.moderation`).
 *
 * @example
 * ```ts
 * import { createAuthorizer } from '@intelgraph/core';
 * const authorizer = createAuthorizer({ platformOrgs: ['intelgraph'] });
 * const moderation = createModeration({ store, audit, authorizer, now, onVisibilityChange });
 * const dave = { userId: 'dave', orgId: 'intelgraph', roles: ['moderator'] };
 * const { items } = await moderation.queue(dave);
 * await moderation.resolve(dave, { pluginId: 'x', version: '1.0.0', outcome: 'dismissed', reason: 'Works as documented' });
 * ```
 */
export function createModeration(deps: ModerationDeps): Moderation {
  const { store, audit, now } = deps;
  const authorizer = deps.authorizer ?? createAuthorizer();

  function moderator(input: unknown, what: string): Actor {
    const actor = parseInput(ActorSchema, input, 'actor');
    authorizer.require(actor, 'plugins.moderate', what);
    return actor;
  }

  async function item(
    pluginId: string,
    version: string,
    reports?: AbuseReportRecord[],
  ): Promise<ModerationItem> {
    const record = await store.getVersion(pluginId, version);
    if (!record) throw new IntelGraphError('NOT_FOUND', `no version ${pluginId}@${version}`);
    const all = reports ?? (await store.listReports({ pluginId, version }));
    const sorted = [...all].sort((a, b) =>
      a.status === 'open' && b.status !== 'open'
        ? -1
        : b.status === 'open' && a.status !== 'open'
          ? 1
          : a.createdAt < b.createdAt
            ? 1
            : -1,
    );
    const open = sorted.filter((r) => r.status === 'open');
    const categories = new Map<AbuseCategory, number>();
    for (const r of open) categories.set(r.category, (categories.get(r.category) ?? 0) + 1);
    return {
      pluginId,
      version,
      hidden: record.hidden,
      hiddenReason: record.hiddenReason,
      reports: sorted,
      openReports: open.length,
      reportingOrgs: new Set(open.map((r) => r.orgId)).size,
      categories: [...categories].map(([category, count]) => ({ category, count })),
      lastReportedAt: sorted.reduce<string | null>(
        (m, r) => (m === null || r.createdAt > m ? r.createdAt : m),
        null,
      ),
    };
  }

  return {
    async queue(actorInput, query = {}) {
      moderator(actorInput, 'reading the moderation queue');
      const q = parseInput(QuerySchema, query, 'moderation query');
      const reports = await store.listReports({});
      const byVersion = new Map<string, AbuseReportRecord[]>();
      for (const r of reports) {
        const k = `${r.pluginId}\u0000${r.version}`;
        byVersion.set(k, [...(byVersion.get(k) ?? []), r]);
      }
      // Hidden versions without reports belong in the queue too, so a moderator can show them again.
      for (const p of await store.listPlugins()) {
        for (const v of await store.listVersions(p.id)) {
          const k = `${v.pluginId}\u0000${v.version}`;
          if (v.hidden && !byVersion.has(k)) byVersion.set(k, []);
        }
      }
      const items: ModerationItem[] = [];
      for (const [k, rs] of byVersion) {
        const [pluginId = '', version = ''] = k.split('\u0000');
        const it = await item(pluginId, version, rs);
        if (q.includeResolved || it.openReports > 0 || it.hidden) items.push(it);
      }
      items.sort(
        (a, b) =>
          b.openReports - a.openReports ||
          (b.lastReportedAt ?? '').localeCompare(a.lastReportedAt ?? '') ||
          a.pluginId.localeCompare(b.pluginId),
      );
      return { items, recent: await recentResolutions(audit) };
    },

    async setHidden(actorInput, input) {
      const actor = moderator(actorInput, 'hiding or showing a plugin version');
      const v = parseInput(HideSchema, input, 'moderation visibility');
      const current = await store.getVersion(v.pluginId, v.version);
      if (!current) throw new IntelGraphError('NOT_FOUND', `no version ${v.pluginId}@${v.version}`);
      if (current.hidden !== v.hidden) {
        await store.updateVersion(v.pluginId, v.version, {
          hidden: v.hidden,
          hiddenReason: v.hidden ? `moderator: ${v.reason}` : null,
        });
        deps.onVisibilityChange();
        await audit.record({
          type: v.hidden ? 'moderation.hidden' : 'moderation.restored',
          actor: { userId: actor.userId, orgId: actor.orgId },
          subject: `plugin:${v.pluginId}`,
          orgId: null,
          data: { version: v.version, reason: v.reason, reports: [] },
        });
      }
      return item(v.pluginId, v.version);
    },

    async resolve(actorInput, input) {
      const actor = moderator(actorInput, 'resolving abuse reports');
      const v = parseInput(ResolveSchema, input, 'report resolution');
      if (!(await store.getVersion(v.pluginId, v.version)))
        throw new IntelGraphError('NOT_FOUND', `no version ${v.pluginId}@${v.version}`);
      const open = await store.listReports({ pluginId: v.pluginId, version: v.version, status: 'open' });
      if (open.length === 0)
        throw new IntelGraphError('CONFLICT', `${v.pluginId}@${v.version} has no open reports to resolve`);
      const resolved = await store.resolveReports(v.pluginId, v.version, {
        status: v.outcome,
        resolvedAt: now(),
        resolvedBy: actor.userId,
      });
      await audit.record({
        type: 'moderation.resolved',
        actor: { userId: actor.userId, orgId: actor.orgId },
        subject: `plugin:${v.pluginId}`,
        orgId: null,
        data: {
          version: v.version,
          outcome: v.outcome,
          reason: v.reason,
          reports: resolved.map((r) => r.id),
        },
      });
      return item(v.pluginId, v.version);
    },
  };
}
