import type { Actor, AuditEvent, JsonValue, NegotiatedContractRecord } from '@intelgraph/core';
import { IntelGraphError, parseInput, SCOPE_PATTERN } from '@intelgraph/core';
import type { ReviewTaskView } from '@intelgraph/governance';
import type {
  EdgeRecordResult,
  EdgeResult,
  ExtensionHost,
  InstallOutcome,
  PluginRunResult,
} from '@intelgraph/host';
import { type InstallationView, type PluginSummary, riskLevel } from '@intelgraph/marketplace';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { z } from 'zod';
import { abuseCategoryOf, evidenceOf, migrationOperationsOf, quotaView, toJsonValue } from './convert.js';
import type {
  PluginRunResult as GraphQLPluginRunResult,
  MutationResolvers,
  QueryResolvers,
  RecordResult,
  Resolvers,
} from './generated/types.js';
import { reviewTaskToGraphQL } from './governance-type-defs.js';
import { createGraphQLLoaders, type GraphQLLoaders } from './loaders.js';
import { pageSizeOf } from './pagination.js';

// Scopes named by a caller are checked like the manifest's own (a malformed one is an error, not a no-op).
const ScopeListSchema = z.array(z.string().regex(SCOPE_PATTERN)).max(64);

/** What every resolver receives: the actor resolved by the host's auth hook (never from arguments). */
export interface GraphQLContext {
  actor: Actor | null;
  /** The request's DataLoaders; created on first use when the server does not supply them. */
  loaders?: GraphQLLoaders;
}

function actorOf(ctx: GraphQLContext): Actor {
  if (!ctx.actor)
    throw new IntelGraphError('FORBIDDEN', 'sign in: this operation needs an authenticated actor');
  return ctx.actor;
}

function loadersOf(host: ExtensionHost, ctx: GraphQLContext): GraphQLLoaders {
  ctx.loaders ??= createGraphQLLoaders(host, ctx.actor);
  return ctx.loaders;
}

function literalToJson(node: ValueNode): JsonValue {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalToJson(f.value)]));
    default:
      // Variables inside literals are not supported: pass the whole value as a variable.
      throw new IntelGraphError(
        'INVALID_INPUT',
        'JSON literals cannot contain variables; pass the value as a variable',
      );
  }
}

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (node) => literalToJson(node),
});

const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'ISO-8601 date-time',
  serialize: (v) => (v instanceof Date ? v.toISOString() : v),
  parseValue: (v) => {
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
      throw new IntelGraphError('INVALID_INPUT', 'DateTime must be an ISO-8601 string');
    return v;
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING || Number.isNaN(Date.parse(node.value)))
      throw new IntelGraphError('INVALID_INPUT', 'DateTime must be an ISO-8601 string');
    return node.value;
  },
});

function capabilityViews(s: PluginSummary) {
  return [
    ...s.capabilities.required.map((c) => ({
      scope: c.scope,
      kind: 'required',
      risk: riskLevel([c.scope]),
      reason: c.reason,
    })),
    ...s.capabilities.optional.map((c) => ({
      scope: c.scope,
      kind: 'optional',
      risk: riskLevel([c.scope]),
      reason: c.reason,
    })),
  ];
}

function pluginView(s: PluginSummary) {
  return {
    id: s.pluginId,
    name: s.pluginId,
    description: s.description,
    publisher: s.publisher,
    tags: s.tags,
    latestVersion: s.latestVersion,
    risk: s.risk,
    capabilities: capabilityViews(s),
    weightedRating: s.rating.score,
    ratingCount: s.rating.count,
  };
}

function installationView(i: InstallationView) {
  const optional = new Set(i.optionalScopes);
  return {
    pluginId: i.pluginId,
    version: i.version,
    pinned: i.pinned,
    status: i.status,
    grantedScopes: i.grants,
    requiredScopes: i.grants.filter((s) => !optional.has(s)),
    optionalScopes: i.optionalScopes,
    installedAt: i.installedAt,
    installedBy: i.installedBy,
    negotiated: i.contracts ?? [],
  };
}

async function negotiatedView(host: ExtensionHost, actor: Actor, n: NegotiatedContractRecord) {
  const s = await host.contracts.versionStatus(actor, { subject: n.subject, version: n.version });
  return {
    edge: n.edge,
    subject: n.subject,
    version: n.version,
    currentVersion: s.currentVersion ?? n.negotiatedAt,
    deprecatedUntil: s.deprecatedUntil,
    windowClosing: s.windowClosing,
  };
}

const task = (t: ReviewTaskView | null | undefined) => (t ? reviewTaskToGraphQL(t) : null);

function installResult(o: InstallOutcome) {
  return o.status === 'installed'
    ? { status: o.status, installation: installationView(o.installation), reviewTask: null }
    : { status: o.status, installation: null, reviewTask: task(o.reviewTask) };
}

function recordView(r: EdgeRecordResult): RecordResult {
  return {
    ...r,
    patch: r.patch.map(({ value, ...op }) => ({
      ...op,
      ...(value === undefined ? {} : { value: toJsonValue(value) }),
    })),
    patched: r.patched === undefined ? null : toJsonValue(r.patched),
    patchValid: r.patchValid ?? null,
  };
}

function edgeView(r: EdgeResult) {
  return {
    status: r.status,
    accepted: r.accepted,
    rejected: r.rejected,
    records: r.records.map(recordView),
    reviewTask: task(r.reviewTask),
  };
}

function auditEntry(e: AuditEvent) {
  return {
    seq: e.seq,
    at: e.at,
    type: e.type,
    actor: e.actor ? { id: e.actor.userId } : null,
    data: e.data,
    hash: e.hash,
  };
}

function runView(r: PluginRunResult): GraphQLPluginRunResult {
  return {
    ok: r.ok,
    value: r.ok ? toJsonValue(r.value) : null,
    error: r.ok ? null : { ...r.error, details: toJsonValue(r.error.details) },
    logs: r.logs.map((l) => ({ level: l.level, at: l.at, message: l.message })),
    usage: r.usage,
    budgets: r.budgets,
    cost: r.cost,
    provenance: r.provenance,
  };
}

/** Field resolvers of the object types (plugin versions, installation contracts, contract versions). */
function typeResolvers(
  host: ExtensionHost,
): Pick<Resolvers, 'Installation' | 'ContractSubject' | 'ContractVersion' | 'Plugin'> {
  return {
    Installation: {
      contracts: async (parent, _args, ctx) =>
        Promise.all((parent.negotiated ?? []).map((n) => negotiatedView(host, actorOf(ctx), n))),
    },
    ContractSubject: {
      migrationRules: async (parent, _args, ctx) =>
        (await host.contracts.migrationRules(actorOf(ctx), parent.subject)).map((r) => ({
          from: r.from,
          to: r.to,
          direction: r.direction,
          description: r.description ?? null,
          operations: r.operations,
        })),
    },
    ContractVersion: {
      deprecatedUntil: async (parent, _args, ctx) =>
        (
          await host.contracts.versionStatus(actorOf(ctx), {
            subject: parent.subject,
            version: parent.version,
          })
        ).deprecatedUntil,
    },
    Plugin: {
      versions: async (p, args, ctx) => {
        const d = await loadersOf(host, ctx).detail.load(p.id);
        return d.versions.slice(0, pageSizeOf(args.first, 20)).map((v) => ({
          version: v.version,
          publishedAt: v.publishedAt,
          yanked: v.yanked,
          risk: v.risk,
          codeSha256: v.packageDigest,
          capabilities: [
            ...v.requiredScopes.map((scope) => ({
              scope,
              kind: 'required',
              risk: riskLevel([scope]),
              reason: d.manifest.reasons?.[scope] ?? null,
            })),
            ...v.optionalScopes.map((scope) => ({
              scope,
              kind: 'optional',
              risk: riskLevel([scope]),
              reason: d.manifest.reasons?.[scope] ?? null,
            })),
          ],
        }));
      },
      installCount: async (p, _args, ctx) => (await loadersOf(host, ctx).stats.load(p.id)).installCount,
      reviews: async (p, args, ctx) =>
        (await loadersOf(host, ctx).stats.load(p.id)).ratings
          .slice(0, pageSizeOf(args.first, 20))
          .map((r) => ({
            pluginId: r.pluginId,
            userId: r.userId,
            stars: r.stars,
            review: r.comment,
            updatedAt: r.updatedAt,
          })),
      inputSchema: async (p, _args, ctx) => {
        const d = await loadersOf(host, ctx).detail.load(p.id);
        const ref = d.manifest.inputSchema;
        if (!ref) return null;
        return (await host.contracts.schema(actorOf(ctx), ref.subject, ref.version)).schema;
      },
    },
  };
}

function queryResolvers(host: ExtensionHost): QueryResolvers {
  return {
    me: (_parent, _args, ctx) => actorOf(ctx),
    ping: () => true,
    catalog: async (_parent, args, ctx) => {
      const f = args.filter ?? {};
      const list = await host.plugins.list(actorOf(ctx), {
        ...(f.capability ? { capability: f.capability } : {}),
        ...(f.risk ? { risk: f.risk } : {}),
        ...(f.publisher ? { publisher: f.publisher } : {}),
        limit: pageSizeOf(args.first, 20),
      });
      return list.map(pluginView);
    },
    search: async (_parent, args, ctx) => {
      const f = args.filter ?? {};
      const hits = await host.plugins.search(actorOf(ctx), {
        q: args.query,
        ...(f.capability ? { capability: f.capability } : {}),
        ...(f.risk ? { risk: f.risk } : {}),
        ...(f.publisher ? { publisher: f.publisher } : {}),
        limit: pageSizeOf(args.limit, 20, undefined, 'limit'),
      });
      return Promise.all(
        hits.map(async (h) => ({
          plugin: pluginView(await loadersOf(host, ctx).detail.load(h.pluginId)),
          score: h.score,
        })),
      );
    },
    plugin: async (_parent, args, ctx) => {
      try {
        return pluginView(await loadersOf(host, ctx).detail.load(args.id));
      } catch (err) {
        if (err instanceof IntelGraphError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    },
    installations: async (_parent, args, ctx) =>
      (await host.plugins.installations(actorOf(ctx)))
        .slice(0, pageSizeOf(args.first, 50))
        .map(installationView),
    auditTrail: async (_parent, args, ctx) => {
      const r = await host.audit.trail(actorOf(ctx), args.subject, pageSizeOf(args.first, 200, 1000));
      return { subject: args.subject, events: r.events.map(auditEntry), verified: r.verified };
    },
    contracts: async (_parent, args, ctx) =>
      (await host.contracts.list(actorOf(ctx))).slice(0, pageSizeOf(args.first, 50)),
    contract: async (_parent, args, ctx) =>
      (await host.contracts.list(actorOf(ctx))).find((c) => c.subject === args.subject) ?? null,
    contractDiff: async (_parent, args, ctx) =>
      host.contracts.diff(actorOf(ctx), {
        subject: args.subject,
        from: args.from,
        to: args.to,
      }),
    contractTest: async (_parent, args, ctx) => {
      const r = await host.contracts.test(actorOf(ctx), {
        subject: args.subject,
        ...(args.version == null ? {} : { version: args.version }),
        records: args.records,
      });
      return {
        subject: r.subject,
        version: r.version ?? 0,
        ok: r.rejected === 0 && r.records.every((x) => x.ok),
        records: r.records.map(recordView),
      };
    },
    contractApplyPatch: async (_parent, args, ctx) =>
      recordView(
        await host.contracts.applyPatch(actorOf(ctx), {
          subject: args.subject,
          ...(args.version == null ? {} : { version: args.version }),
          record: args.record,
          patch: args.patch,
        }),
      ),
    usage: async (_parent, args, ctx) =>
      (await host.finops.dashboard(actorOf(ctx))).plugins.slice(0, pageSizeOf(args.first, 50)),
    hint: async (_parent, args, ctx) => host.finops.hintView(actorOf(ctx), args.pluginId),
    quotas: async (_parent, args, ctx) =>
      (await host.finops.quotas(actorOf(ctx))).slice(0, pageSizeOf(args.first, 50)).map(quotaView),
    killSwitches: async (_parent, args, ctx) =>
      (await host.finops.killSwitches(actorOf(ctx))).slice(0, pageSizeOf(args.first, 50)),
    finopsDashboard: async (_parent, _args, ctx) => {
      const d = await host.finops.dashboard(actorOf(ctx));
      return { ...d, quotas: d.quotas.map(quotaView) };
    },
    reviewTask: async (_parent, args, ctx) =>
      reviewTaskToGraphQL(await host.governance.get(actorOf(ctx), args.id)),
    reviewQueue: async (_parent, args, ctx) => {
      const page = await host.governance.queue(actorOf(ctx), {
        ...(args.scope ? { scope: args.scope } : {}),
        ...(args.states ? { states: args.states } : {}),
        ...(args.kinds ? { kinds: args.kinds } : {}),
        ...(args.dueBefore ? { dueBefore: args.dueBefore } : {}),
        ...(args.overdue == null ? {} : { overdue: args.overdue }),
        ...(args.order ? { order: args.order } : {}),
        ...(args.after ? { cursor: args.after } : {}),
        limit: pageSizeOf(args.first, 50, 200),
      });
      return { items: page.items.map((t) => reviewTaskToGraphQL(t)), nextCursor: page.nextCursor };
    },
    reviewAuditTrail: async (_parent, args, ctx) => {
      const r = await host.governance.auditTrail(actorOf(ctx), args.id);
      return { events: r.events.map(auditEntry), verified: r.verified };
    },
  };
}

function pluginMutations(host: ExtensionHost): MutationResolvers {
  return {
    pluginInstall: async (_parent, args, ctx) =>
      installResult(
        await host.plugins.install(actorOf(ctx), {
          pluginId: args.id,
          ...(args.version == null ? {} : { version: args.version }),
          ...(args.grant == null ? {} : { grant: args.grant }),
        }),
      ),
    pluginGrant: async (_parent, args, ctx) => {
      const actor = actorOf(ctx);
      const current = await host.plugins.installation(actor, args.id);
      const scopes = [...new Set([...current.optionalScopes, ...args.scopes])];
      // A grant that waits for a review is a result (pending_review with its task), not an error.
      return installResult(await host.plugins.setOptionalScopes(actor, args.id, scopes));
    },
    pluginRevoke: async (_parent, args, ctx) => {
      const actor = actorOf(ctx);
      const current = await host.plugins.installation(actor, args.id);
      const revoke = new Set(parseInput(ScopeListSchema, args.scopes, 'scopes'));
      const required = current.grants.filter((s) => !current.optionalScopes.includes(s) && revoke.has(s));
      if (required.length > 0) {
        throw new IntelGraphError(
          'INVALID_INPUT',
          `required scopes are revoked by uninstalling: ${required.join(', ')}`,
          {
            details: {
              issues: required.map((s) => ({
                code: 'required_scope',
                path: ['scopes'],
                message: `${s} is required`,
              })),
            },
          },
        );
      }
      const o = await host.plugins.setOptionalScopes(
        actor,
        args.id,
        current.optionalScopes.filter((s) => !revoke.has(s)),
      );
      if (o.status !== 'installed')
        throw new IntelGraphError('CONFLICT', 'revoking scopes cannot wait for a review');
      return installationView(o.installation);
    },
    pluginUninstall: async (_parent, args, ctx) => {
      await host.plugins.uninstall(actorOf(ctx), args.id);
      return true;
    },
    pluginRun: async (_parent, args, ctx) =>
      runView(await host.plugins.run(actorOf(ctx), args.id, args.input)),
    pluginRate: async (_parent, args, ctx) => {
      const r = await host.plugins.rate(actorOf(ctx), args.id, {
        stars: args.stars,
        ...(args.review == null ? {} : { comment: args.review }),
      });
      return {
        pluginId: r.pluginId,
        userId: r.userId,
        stars: r.stars,
        review: r.comment,
        updatedAt: r.updatedAt,
      };
    },
    pluginReport: async (_parent, args, ctx) => {
      const actor = actorOf(ctx);
      const pluginId = args.id;
      const category = abuseCategoryOf(args.category);
      const version =
        args.version == null ? (await host.plugins.get(actor, pluginId)).latestVersion : args.version;
      const r = await host.plugins.report(actor, {
        pluginId,
        version,
        category,
        details: args.reason,
      });
      const detail = await host.plugins.get(actor, pluginId);
      const hidden = detail.versions.find((v) => v.version === version)?.hidden ?? false;
      return { id: r.id, pluginId, version, category: r.category, createdAt: r.createdAt, hidden };
    },
  };
}

function contractMutations(host: ExtensionHost): MutationResolvers {
  return {
    contractRegister: async (_parent, args, ctx) => {
      const r = await host.contracts.register(actorOf(ctx), {
        subject: args.subject,
        format: args.format,
        schema: args.schema,
        ...(args.compatibility ? { compatibility: args.compatibility } : {}),
      });
      return { ...r, deleted: r.deletedAt !== null };
    },
    contractSetEnforcement: async (_parent, args, ctx) => {
      const o = await host.contracts.setEnforcement(actorOf(ctx), {
        subject: args.subject,
        edge: args.edge,
        mode: args.mode,
        reason: args.reason,
      });
      return { status: o.status, reviewTask: task(o.reviewTask) };
    },
    contractRegisterMigrationRule: async (_parent, args, ctx) => {
      const o = await host.contracts.registerMigrationRule(actorOf(ctx), {
        subject: args.subject,
        from: args.from,
        to: args.to,
        operations: migrationOperationsOf(args.operations),
        ...(args.description == null ? {} : { description: args.description }),
        samples: args.samples,
        reason: args.reason,
      });
      return { status: o.status, reviewTask: task(o.reviewTask) };
    },
    ingest: async (_parent, args, ctx) =>
      edgeView(
        await host.contracts.ingest(actorOf(ctx), args.subject, args.batch, {
          ...(args.version == null ? {} : { version: args.version }),
        }),
      ),
    export: async (_parent, args, ctx) =>
      edgeView(
        await host.contracts.export(actorOf(ctx), args.subject, args.batch, {
          ...(args.destination == null ? {} : { destination: args.destination }),
          ...(args.version == null ? {} : { version: args.version }),
        }),
      ),
  };
}

/** Quotas, kill switches and governance. */
function adminMutations(host: ExtensionHost): MutationResolvers {
  return {
    quotaSet: async (_parent, args, ctx) => {
      const actor = actorOf(ctx);
      const i = args.input;
      await host.finops.setQuota(actor, {
        ...(i.pluginId ? { pluginId: i.pluginId } : {}),
        resource: i.resource,
        limit: i.limit,
        window: i.window,
        mode: i.mode ?? 'hard',
      });
      const views = await host.finops.quotas(actor);
      const match = views.find(
        (q) =>
          q.resource === i.resource && q.window === i.window && (q.pluginId ?? null) === (i.pluginId ?? null),
      );
      if (!match) throw new IntelGraphError('INTERNAL', 'the quota was set but cannot be read back');
      return quotaView(match);
    },
    killSwitchSet: async (_parent, args, ctx) => {
      const actor = actorOf(ctx);
      return host.finops.killSwitch(actor, {
        scope: args.scope,
        ...(args.target == null ? {} : { target: args.target }),
        on: args.on,
        reason: args.reason,
      });
    },
    requestPolicyChange: async (_parent, args, ctx) => {
      const actor = actorOf(ctx);
      const payload = args.payload;
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw new IntelGraphError(
          'INVALID_INPUT',
          'payload must be an object of policy params, or { policy }',
        );
      }
      // `kind` names the policy to change and `payload` holds its params (the short form,
      // `requestPolicyChange(kind: "export", payload: { maxRecords: 5 })`) or `{ policy }` to replace
      // it. `kind: "policy_change"` takes the governance payload itself: `{ kind, params }` or
      // `{ kind, policy }` (what the web app sends). Governance validates every form.
      const change =
        args.kind === 'policy_change'
          ? payload
          : 'policy' in payload
            ? { kind: args.kind, policy: payload.policy }
            : { kind: args.kind, params: payload };
      return reviewTaskToGraphQL(
        await host.governance.request(actor, {
          kind: 'policy_change',
          payload: change,
          reason: args.reason,
          ...(args.evidence ? { evidence: evidenceOf(args.evidence) } : {}),
        }),
      );
    },
    reviewApprove: async (_parent, args, ctx) =>
      reviewTaskToGraphQL(
        await host.governance.approve(actorOf(ctx), args.id, {
          ...(args.note == null ? {} : { note: args.note }),
          ...(args.evidence ? { evidence: evidenceOf(args.evidence) } : {}),
        }),
      ),
    reviewDeny: async (_parent, args, ctx) =>
      reviewTaskToGraphQL(
        await host.governance.deny(actorOf(ctx), args.id, {
          reason: args.reason,
          ...(args.evidence ? { evidence: evidenceOf(args.evidence) } : {}),
        }),
      ),
    reviewAppeal: async (_parent, args, ctx) =>
      reviewTaskToGraphQL(
        await host.governance.appeal(actorOf(ctx), args.id, {
          reason: args.reason,
          ...(args.evidence ? { evidence: evidenceOf(args.evidence) } : {}),
        }),
      ),
    reviewWithdraw: async (_parent, args, ctx) =>
      reviewTaskToGraphQL(
        await host.governance.withdraw(
          actorOf(ctx),
          args.id,
          args.reason == null ? {} : { reason: args.reason },
        ),
      ),
    reviewRetryApply: async (_parent, args, ctx) =>
      reviewTaskToGraphQL(await host.governance.retryApply(actorOf(ctx), args.id)),
  };
}

/**
 * The resolver map of the GraphQL schema, over an {@link ExtensionHost}. Every resolver takes its
 * actor from the context and scopes reads to the actor's org.
 *
 * @example
 * ```ts
 * import { makeExecutableSchema } from '@graphql-tools/schema';
 * import { createResolvers, typeDefs } from '@intelgraph/server/graphql';
 * const schema = makeExecutableSchema({ typeDefs, resolvers: createResolvers(host) });
 * ```
 */
export function createResolvers(host: ExtensionHost): Resolvers {
  return {
    JSON: JSONScalar,
    DateTime: DateTimeScalar,
    ...typeResolvers(host),
    Query: queryResolvers(host),
    Mutation: { ...pluginMutations(host), ...contractMutations(host), ...adminMutations(host) },
  };
}
