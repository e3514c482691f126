import { operation } from '../client.js';
import type {
  AbuseReport,
  Installation,
  InstalledPlugin,
  InstallResult,
  PluginDetail,
  PluginSummary,
  Rating,
  RiskLevel,
} from '../types.js';

const CAPABILITY = 'scope kind risk reason';
const SUMMARY = `id name description publisher tags latestVersion risk weightedRating ratingCount installCount
  capabilities { ${CAPABILITY} }`;
const INSTALLATION = `pluginId version pinned status grantedScopes requiredScopes optionalScopes installedAt installedBy`;

export interface CatalogFilter {
  capability?: string | null;
  risk?: RiskLevel | null;
  publisher?: string | null;
}

export const CATALOG = operation<
  { catalog: PluginSummary[] },
  { filter: CatalogFilter | null }
>(/* GraphQL */ `
  query Catalog($filter: CatalogFilter) { catalog(filter: $filter) { ${SUMMARY} } }
`);

export const SEARCH = operation<
  { search: { score: number; plugin: PluginSummary }[] },
  { query: string; filter: CatalogFilter | null; limit: number }
>(/* GraphQL */ `
  query Search($query: String!, $filter: CatalogFilter, $limit: Int) {
    search(query: $query, filter: $filter, limit: $limit) { score plugin { ${SUMMARY} } }
  }
`);

export const PLUGIN = operation<{ plugin: PluginDetail | null }, { id: string }>(/* GraphQL */ `
  query Plugin($id: ID!, $reviews: Int = 20) {
    plugin(id: $id) {
      ${SUMMARY}
      inputSchema
      versions { version publishedAt yanked risk codeSha256 capabilities { ${CAPABILITY} } }
      reviews(first: $reviews) { userId stars review updatedAt }
    }
  }
`);

export const INSTALLATIONS = operation<{ installations: Installation[] }>(/* GraphQL */ `
  query Installations { installations { ${INSTALLATION} } }
`);

/** The installations with the contract versions negotiated for each (the installed list). */
export const INSTALLED_PLUGINS = operation<{ installations: InstalledPlugin[] }>(/* GraphQL */ `
  query InstalledPlugins {
    installations {
      ${INSTALLATION}
      contracts { edge subject version currentVersion deprecatedUntil windowClosing }
    }
  }
`);

export const PLUGIN_INSTALL = operation<
  { pluginInstall: InstallResult },
  { id: string; version: string | null; grant: string[] }
>(/* GraphQL */ `
  mutation PluginInstall($id: ID!, $version: String, $grant: [String!]) {
    pluginInstall(id: $id, version: $version, grant: $grant) {
      status
      installation { ${INSTALLATION} }
      reviewTask { id status }
    }
  }
`);

export const PLUGIN_GRANT = operation<
  { pluginGrant: InstallResult },
  { id: string; scopes: string[]; reason: string | null }
>(/* GraphQL */ `
  mutation PluginGrant($id: ID!, $scopes: [String!]!, $reason: String) {
    pluginGrant(id: $id, scopes: $scopes, reason: $reason) {
      status
      installation { ${INSTALLATION} }
      reviewTask { id status }
    }
  }
`);

export const PLUGIN_REVOKE = operation<
  { pluginRevoke: Installation },
  { id: string; scopes: string[]; reason: string | null }
>(/* GraphQL */ `
  mutation PluginRevoke($id: ID!, $scopes: [String!]!, $reason: String) {
    pluginRevoke(id: $id, scopes: $scopes, reason: $reason) { ${INSTALLATION} }
  }
`);

export const PLUGIN_UNINSTALL = operation<{ pluginUninstall: boolean }, { id: string }>(/* GraphQL */ `
  mutation PluginUninstall($id: ID!) { pluginUninstall(id: $id) }
`);

export const PLUGIN_RATE = operation<
  { pluginRate: Rating },
  { id: string; stars: number; review: string | null }
>(/* GraphQL */ `
  mutation PluginRate($id: ID!, $stars: Int!, $review: String) {
    pluginRate(id: $id, stars: $stars, review: $review) { userId stars review updatedAt }
  }
`);

export const PLUGIN_REPORT = operation<
  { pluginReport: AbuseReport },
  { id: string; version: string | null; category: string; reason: string }
>(/* GraphQL */ `
  mutation PluginReport($id: ID!, $version: String, $category: String!, $reason: String!) {
    pluginReport(id: $id, version: $version, category: $category, reason: $reason) { id category hidden }
  }
`);
