// Abuse reports: anyone may report a version; reports from enough distinct orgs hide it pending
// review; moderators read reports and hide or restore versions.
import { type AbuseReportRecord, type Actor, IntelGraphError, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import type { Marketplace, VersionSummary } from '../marketplace.js';
import { actorOf, auditActor, type MarketContext, PluginId, Reason, VersionSpec } from './context.js';
import { summary } from './versions.js';

const ReportSchema = z
  .object({
    pluginId: PluginId,
    version: VersionSpec,
    category: z.enum([
      'malware',
      'data_exfiltration',
      'privacy',
      'impersonation',
      'spam',
      'inappropriate',
      'broken',
      'other',
    ]),
    details: z.string().max(4000).optional(),
  })
  .strict();
const ModerateSchema = z
  .object({ pluginId: PluginId, version: VersionSpec, action: z.enum(['hide', 'restore']), reason: Reason })
  .strict();

/** The abuse-report methods of {@link Marketplace}. */
export type AbuseMethods = Pick<Marketplace, 'report' | 'reports' | 'moderate'>;

/** Abuse reports over a marketplace context. */
export function createAbuseReports(ctx: MarketContext): AbuseMethods {
  return {
    report: (actor, input) => report(ctx, actor, input),
    reports: (actor, query) => reports(ctx, actor, query),
    moderate: (actor, input) => moderate(ctx, actor, input),
  };
}

async function report(
  ctx: MarketContext,
  actorInput: Actor,
  input: { pluginId: string; version: string; category: AbuseReportRecord['category']; details?: string },
): Promise<AbuseReportRecord> {
  const { store, audit } = ctx;
  const actor = actorOf(actorInput);
  const v = parseInput(ReportSchema, input, 'abuse report');
  const version = await store.getVersion(v.pluginId, v.version);
  if (!version) throw new IntelGraphError('NOT_FOUND', `no version ${v.pluginId}@${v.version}`);
  const created = await store.createReport({
    id: ctx.ids.next('report'),
    pluginId: v.pluginId,
    version: v.version,
    category: v.category,
    details: v.details ?? '',
    reporterId: actor.userId,
    orgId: actor.orgId,
    status: 'open',
    createdAt: ctx.now(),
    resolvedAt: null,
    resolvedBy: null,
  });
  await audit.record({
    type: 'report.created',
    actor: auditActor(actor),
    subject: `plugin:${v.pluginId}`,
    orgId: actor.orgId,
    data: { reportId: created.id, version: v.version, category: v.category },
  });
  // Count distinct orgs, not reports: one org cannot hide a competitor's plugin on its own.
  const open = await store.listReports({ pluginId: v.pluginId, version: v.version, status: 'open' });
  const orgs = new Set(open.map((r) => r.orgId)).size;
  if (!version.hidden && orgs >= ctx.reportThreshold) {
    await store.updateVersion(v.pluginId, v.version, { hidden: true, hiddenReason: 'abuse_reports' });
    ctx.markDirty();
    await audit.record({
      type: 'moderation.auto_hidden',
      actor: null,
      subject: `plugin:${v.pluginId}`,
      orgId: null,
      data: { version: v.version, orgs, threshold: ctx.reportThreshold },
    });
  }
  return created;
}

async function reports(
  ctx: MarketContext,
  actorInput: Actor,
  query: { pluginId?: string; status?: AbuseReportRecord['status'] } = {},
): Promise<AbuseReportRecord[]> {
  const actor = actorOf(actorInput);
  ctx.authorizer.require(actor, 'plugins.moderate', 'reading abuse reports');
  return ctx.store.listReports(query);
}

async function moderate(
  ctx: MarketContext,
  actorInput: Actor,
  input: { pluginId: string; version: string; action: 'hide' | 'restore'; reason: string },
): Promise<VersionSummary> {
  const actor = actorOf(actorInput);
  const v = parseInput(ModerateSchema, input, 'moderation');
  ctx.authorizer.require(actor, 'plugins.moderate', 'moderation');
  const hide = v.action === 'hide';
  const next = await ctx.store.updateVersion(v.pluginId, v.version, {
    hidden: hide,
    hiddenReason: hide ? `moderator: ${v.reason}` : null,
  });
  const resolved = await ctx.store.resolveReports(v.pluginId, v.version, {
    status: hide ? 'upheld' : 'dismissed',
    resolvedAt: ctx.now(),
    resolvedBy: actor.userId,
  });
  ctx.markDirty();
  await ctx.audit.record({
    type: hide ? 'moderation.hidden' : 'moderation.restored',
    actor: auditActor(actor),
    subject: `plugin:${v.pluginId}`,
    orgId: null,
    data: { version: v.version, reason: v.reason, reports: resolved.map((r) => r.id) },
  });
  return summary(next);
}
