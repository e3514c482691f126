import type {
  CatalogQuery,
  CatalogQueryVariables,
  InstallationsQuery,
  InstallationsQueryVariables,
  InstalledPluginsQuery,
  InstalledPluginsQueryVariables,
  PluginGrantMutation,
  PluginGrantMutationVariables,
  PluginInstallMutation,
  PluginInstallMutationVariables,
  PluginQuery,
  PluginQueryVariables,
  PluginRateMutation,
  PluginRateMutationVariables,
  PluginReportMutation,
  PluginReportMutationVariables,
  PluginRevokeMutation,
  PluginRevokeMutationVariables,
  PluginUninstallMutation,
  PluginUninstallMutationVariables,
  SearchQuery,
  SearchQueryVariables,
} from '../../generated/graphql.js';
import { operation } from '../client.js';

export type { CatalogFilter } from '../../generated/graphql.js';

const CAPABILITY = /* GraphQL */ `
  fragment CapabilityFields on Capability { scope kind risk reason }
`;

const SUMMARY = /* GraphQL */ `
  fragment PluginSummaryFields on Plugin {
    id name description publisher tags latestVersion risk weightedRating ratingCount installCount
    capabilities { ...CapabilityFields }
  }
  ${CAPABILITY}
`;

const INSTALLATION = /* GraphQL */ `
  fragment InstallationFields on Installation {
    pluginId version pinned status grantedScopes requiredScopes optionalScopes installedAt installedBy
  }
`;

const INSTALL_RESULT = /* GraphQL */ `
  fragment InstallResultFields on InstallResult {
    status
    installation { ...InstallationFields }
    reviewTask { id status }
  }
  ${INSTALLATION}
`;

export const CATALOG = operation<CatalogQuery, CatalogQueryVariables>(/* GraphQL */ `
  query Catalog($filter: CatalogFilter) { catalog(filter: $filter) { ...PluginSummaryFields } }
  ${SUMMARY}
`);

export const SEARCH = operation<SearchQuery, SearchQueryVariables>(/* GraphQL */ `
  query Search($query: String!, $filter: CatalogFilter, $limit: Int) {
    search(query: $query, filter: $filter, limit: $limit) { score plugin { ...PluginSummaryFields } }
  }
  ${SUMMARY}
`);

export const PLUGIN = operation<PluginQuery, PluginQueryVariables>(/* GraphQL */ `
  query Plugin($id: ID!, $reviews: Int = 20) {
    plugin(id: $id) {
      ...PluginSummaryFields
      inputSchema
      versions { version publishedAt yanked risk codeSha256 capabilities { ...CapabilityFields } }
      reviews(first: $reviews) { userId stars review updatedAt }
    }
  }
  ${SUMMARY}
`);

export const INSTALLATIONS = operation<InstallationsQuery, InstallationsQueryVariables>(/* GraphQL */ `
  query Installations { installations { ...InstallationFields } }
  ${INSTALLATION}
`);

/** The installations with the contract versions negotiated for each (the installed list). */
export const INSTALLED_PLUGINS = operation<InstalledPluginsQuery, InstalledPluginsQueryVariables>(
  /* GraphQL */ `
  query InstalledPlugins {
    installations {
      ...InstallationFields
      contracts { edge subject version currentVersion deprecatedUntil windowClosing }
    }
  }
  ${INSTALLATION}
`,
);

export const PLUGIN_INSTALL = operation<PluginInstallMutation, PluginInstallMutationVariables>(
  /* GraphQL */ `
  mutation PluginInstall($id: ID!, $version: String, $grant: [String!]) {
    pluginInstall(id: $id, version: $version, grant: $grant) { ...InstallResultFields }
  }
  ${INSTALL_RESULT}
`,
);

export const PLUGIN_GRANT = operation<PluginGrantMutation, PluginGrantMutationVariables>(/* GraphQL */ `
  mutation PluginGrant($id: ID!, $scopes: [String!]!, $reason: String) {
    pluginGrant(id: $id, scopes: $scopes, reason: $reason) { ...InstallResultFields }
  }
  ${INSTALL_RESULT}
`);

export const PLUGIN_REVOKE = operation<PluginRevokeMutation, PluginRevokeMutationVariables>(/* GraphQL */ `
  mutation PluginRevoke($id: ID!, $scopes: [String!]!, $reason: String) {
    pluginRevoke(id: $id, scopes: $scopes, reason: $reason) { ...InstallationFields }
  }
  ${INSTALLATION}
`);

export const PLUGIN_UNINSTALL = operation<PluginUninstallMutation, PluginUninstallMutationVariables>(
  /* GraphQL */ `
  mutation PluginUninstall($id: ID!) { pluginUninstall(id: $id) }
`,
);

export const PLUGIN_RATE = operation<PluginRateMutation, PluginRateMutationVariables>(/* GraphQL */ `
  mutation PluginRate($id: ID!, $stars: Int!, $review: String) {
    pluginRate(id: $id, stars: $stars, review: $review) { userId stars review updatedAt }
  }
`);

export const PLUGIN_REPORT = operation<PluginReportMutation, PluginReportMutationVariables>(/* GraphQL */ `
  mutation PluginReport($id: ID!, $version: String, $category: String!, $reason: String!) {
    pluginReport(id: $id, version: $version, category: $category, reason: $reason) { id category hidden }
  }
`);
