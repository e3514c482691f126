import { operation } from '../client.js';
import type { ModerationItem, ModerationQueue } from '../types.js';

const ITEM = `pluginId version hidden hiddenReason openReports reportingOrgs lastReportedAt
  categories { category count }
  reports { id category details reporterId orgId status createdAt resolvedAt resolvedBy }`;

export const MODERATION_QUEUE = operation<
  { moderationQueue: ModerationQueue },
  { includeResolved: boolean }
>(/* GraphQL */ `
  query ModerationQueue($includeResolved: Boolean) {
    moderationQueue(includeResolved: $includeResolved) {
      items { ${ITEM} }
      recent { pluginId version outcome reason reports moderator at }
    }
  }
`);

export const MODERATION_SET_HIDDEN = operation<
  { moderationSetHidden: ModerationItem },
  { pluginId: string; version: string; hidden: boolean; reason: string }
>(/* GraphQL */ `
  mutation ModerationSetHidden($pluginId: ID!, $version: String!, $hidden: Boolean!, $reason: String!) {
    moderationSetHidden(pluginId: $pluginId, version: $version, hidden: $hidden, reason: $reason) { ${ITEM} }
  }
`);

export const MODERATION_RESOLVE = operation<
  { moderationResolve: ModerationItem },
  { pluginId: string; version: string; outcome: 'upheld' | 'dismissed'; reason: string }
>(/* GraphQL */ `
  mutation ModerationResolve($pluginId: ID!, $version: String!, $outcome: ModerationOutcome!, $reason: String!) {
    moderationResolve(pluginId: $pluginId, version: $version, outcome: $outcome, reason: $reason) { ${ITEM} }
  }
`);
