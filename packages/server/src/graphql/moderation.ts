import type { Actor } from '@intelgraph/core';
import { IntelGraphError } from '@intelgraph/core';
import type { ExtensionHost } from '@intelgraph/host';
import type { Resolvers } from './generated/types.js';

/**
 * The moderation queue's SDL: abuse reports per plugin and version, hide/unhide and resolve with a
 * reason. Merged into {@link typeDefs}; the resolvers come from {@link createModerationResolvers}.
 *
 * @example
 * ```ts
 * import { moderationTypeDefs } from '@intelgraph/server/graphql';
 * console.log(moderationTypeDefs.includes('moderationQueue')); // true
 * ```
 */
export const moderationTypeDefs = /* GraphQL */ `
"One abuse report as the moderators see it."
type ModerationReport {
  "the report's id"
  id: ID!
  "what kind of abuse (malware, data misuse, spam, …)"
  category: String!
  "the reporter's description"
  details: String!
  "the user who filed the report"
  reporterId: ID!
  "the reporter's org"
  orgId: ID!
  "open, upheld or dismissed"
  status: String!
  "when it was filed"
  createdAt: DateTime!
  "when a moderator resolved it"
  resolvedAt: DateTime
  "the moderator who resolved it"
  resolvedBy: ID
}

"How many open reports of one category a version has."
type ModerationCategoryCount {
  "the category"
  category: String!
  "open reports in it"
  count: Int!
}

"A plugin version with its abuse reports (open ones first)."
type ModerationItem {
  "the plugin"
  pluginId: ID!
  "the reported version"
  version: String!
  "hidden from search and new installs"
  hidden: Boolean!
  "why it was hidden"
  hiddenReason: String
  "reports not yet resolved"
  openReports: Int!
  "distinct orgs with an open report (what auto-hiding counts)"
  reportingOrgs: Int!
  "open reports by category"
  categories: [ModerationCategoryCount!]!
  "the newest report's time"
  lastReportedAt: DateTime
  "the reports themselves"
  reports: [ModerationReport!]!
}

"A moderator's resolution of a version's open reports, from the audit log."
type ModerationResolution {
  "the plugin"
  pluginId: ID!
  "the version"
  version: String!
  "upheld or dismissed"
  outcome: String!
  "the moderator's reason"
  reason: String!
  "the reports it closed"
  reports: [ID!]!
  "who resolved them"
  moderator: ID!
  "when"
  at: DateTime!
}

"What the moderators have to look at, and what they decided lately."
type ModerationQueue {
  "reported versions, open reports first"
  items: [ModerationItem!]!
  "recent resolutions"
  recent: [ModerationResolution!]!
}

"How a moderator resolves reports."
enum ModerationOutcome {
  "the reports were right (the version usually stays hidden)"
  upheld
  "the reports were wrong"
  dismissed
}

extend type Query {
  "Moderators only."
  moderationQueue(includeResolved: Boolean = false): ModerationQueue!
}

extend type Mutation {
  "Hides a version from search (or shows it again); its reports stay open until resolved."
  moderationSetHidden(pluginId: ID!, version: String!, hidden: Boolean!, reason: String!): ModerationItem!
  "Resolves every open report of a version with the moderator's reason (audited)."
  moderationResolve(pluginId: ID!, version: String!, outcome: ModerationOutcome!, reason: String!): ModerationItem!
}
`;

interface Context {
  actor: Actor | null;
}

function actorOf(ctx: Context): Actor {
  if (!ctx.actor)
    throw new IntelGraphError('FORBIDDEN', 'sign in: this operation needs an authenticated actor');
  return ctx.actor;
}

/**
 * The moderation resolvers over `host.plugins.moderation` (`plugins.moderate`); merge them with {@link createResolvers}.
 *
 * @example
 * ```ts
 * import { makeExecutableSchema } from '@graphql-tools/schema';
 * import { createModerationResolvers, createResolvers, typeDefs } from '@intelgraph/server/graphql';
 * const schema = makeExecutableSchema({ typeDefs, resolvers: [createResolvers(host), createModerationResolvers(host)] });
 * ```
 */
export function createModerationResolvers(host: ExtensionHost): Resolvers {
  const moderation = host.plugins.moderation;
  return {
    Query: {
      moderationQueue: async (_parent, args, ctx) =>
        // An explicit `includeResolved: null` reaches the resolver despite the default: it means false.
        moderation.queue(actorOf(ctx), { includeResolved: args.includeResolved === true }),
    },
    Mutation: {
      moderationSetHidden: async (_parent, args, ctx) =>
        moderation.setHidden(actorOf(ctx), {
          pluginId: args.pluginId,
          version: args.version,
          hidden: args.hidden,
          reason: args.reason,
        }),
      moderationResolve: async (_parent, args, ctx) =>
        moderation.resolve(actorOf(ctx), {
          pluginId: args.pluginId,
          version: args.version,
          outcome: args.outcome,
          reason: args.reason,
        }),
    },
  };
}
