import type {
  ModerationQueueQuery,
  ModerationQueueQueryVariables,
  ModerationResolveMutation,
  ModerationResolveMutationVariables,
  ModerationSetHiddenMutation,
  ModerationSetHiddenMutationVariables,
} from '../../generated/graphql.js';
import { operation } from '../client.js';

const ITEM = /* GraphQL */ `
  fragment ModerationItemFields on ModerationItem {
    pluginId version hidden hiddenReason openReports reportingOrgs lastReportedAt
    categories { category count }
    reports { id category details reporterId orgId status createdAt resolvedAt resolvedBy }
  }
`;

export const MODERATION_QUEUE = operation<ModerationQueueQuery, ModerationQueueQueryVariables>(
  /* GraphQL */ `
  query ModerationQueue($includeResolved: Boolean) {
    moderationQueue(includeResolved: $includeResolved) {
      items { ...ModerationItemFields }
      recent { pluginId version outcome reason reports moderator at }
    }
  }
  ${ITEM}
`,
);

export const MODERATION_SET_HIDDEN = operation<
  ModerationSetHiddenMutation,
  ModerationSetHiddenMutationVariables
>(
  /* GraphQL */ `
  mutation ModerationSetHidden($pluginId: ID!, $version: String!, $hidden: Boolean!, $reason: String!) {
    moderationSetHidden(pluginId: $pluginId, version: $version, hidden: $hidden, reason: $reason) {
      ...ModerationItemFields
    }
  }
  ${ITEM}
`,
);

export const MODERATION_RESOLVE = operation<ModerationResolveMutation, ModerationResolveMutationVariables>(
  /* GraphQL */ `
  mutation ModerationResolve($pluginId: ID!, $version: String!, $outcome: ModerationOutcome!, $reason: String!) {
    moderationResolve(pluginId: $pluginId, version: $version, outcome: $outcome, reason: $reason) {
      ...ModerationItemFields
    }
  }
  ${ITEM}
`,
);
