// The catalog store's stored rows: the row type, the decoders from rows to records and the fixed column
// maps patches are written through.
import {
  type AbuseReportRecord,
  type InstallationPatch,
  type InstallationRecord,
  IntelGraphError,
  type NegotiatedContractRecord,
  type PluginRecord,
  type PluginVersionPatch,
  type PluginVersionRecord,
  type PublisherKeyRecord,
  type PublisherRecord,
  type RatingRecord,
} from '@intelgraph/core';
import { errorCode, isRecord, member, parseStoredJson, stringArray } from '../../narrow.js';

/** A row as the driver hands it over. */
export type Row = Record<string, unknown>;

const KEY_STATUS: Record<PublisherKeyRecord['status'], true> = { active: true, retired: true, revoked: true };
const RISK: Record<PluginVersionRecord['risk'], true> = { low: true, medium: true, high: true };
const INSTALLATION_STATUS: Record<InstallationRecord['status'], true> = { enabled: true, disabled: true };
const DISABLED_REASON: Record<NonNullable<InstallationRecord['disabledReason']>, true> = {
  consent_required: true,
  key_revoked: true,
  contract_unnegotiable: true,
};
const CATEGORY: Record<AbuseReportRecord['category'], true> = {
  malware: true,
  data_exfiltration: true,
  privacy: true,
  impersonation: true,
  spam: true,
  inappropriate: true,
  broken: true,
  other: true,
};
const REPORT_STATUS: Record<AbuseReportRecord['status'], true> = {
  open: true,
  upheld: true,
  dismissed: true,
};
const EDGE: Record<NegotiatedContractRecord['edge'], true> = { input: true, output: true };

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** A jsonb column: pg decodes it, PGlite or a text column may hand over its text. */
const json = (v: unknown): unknown => (typeof v === 'string' ? parseStoredJson(v) : v);
const scopes = (v: unknown, what: string): string[] => stringArray(json(v), what);

function negotiatedContracts(v: unknown): NegotiatedContractRecord[] {
  const list = json(v);
  if (!Array.isArray(list)) throw new IntelGraphError('INTERNAL', 'unexpected stored negotiated contracts');
  return list.map((c: unknown) => {
    if (!isRecord(c)) throw new IntelGraphError('INTERNAL', 'unexpected stored negotiated contract');
    return {
      edge: member(EDGE, c.edge, 'contract edge'),
      subject: String(c.subject),
      version: Number(c.version),
      negotiatedAt: Number(c.negotiatedAt),
    };
  });
}

/** The row a write returned (or re-read); its absence is a database fault. */
export function returned(row: Row | null | undefined, what: string): Row {
  if (row) return row;
  throw new IntelGraphError('INTERNAL', `the database returned no ${what} row`);
}

/** Whether a database error is a unique-key violation. */
export function isUniqueViolation(err: unknown): boolean {
  return errorCode(err) === '23505';
}

// Decoders from stored rows to the port's records.

export const toPublisher = (r: Row): PublisherRecord => ({
  id: str(r.id),
  displayName: str(r.display_name),
  createdAt: iso(r.created_at),
});

export const toKey = (r: Row): PublisherKeyRecord => ({
  keyId: str(r.key_id),
  publisherId: str(r.publisher_id),
  publicKeyPem: str(r.public_key_pem),
  status: member(KEY_STATUS, r.status, 'publisher key status'),
  addedAt: iso(r.added_at),
  retiredAt: isoOrNull(r.retired_at),
  revokedAt: isoOrNull(r.revoked_at),
  reason: strOrNull(r.reason),
});

export const toPlugin = (r: Row): PluginRecord => ({
  id: str(r.id),
  publisherId: str(r.publisher_id),
  createdAt: iso(r.created_at),
});

export const toVersion = (r: Row): PluginVersionRecord => ({
  pluginId: str(r.plugin_id),
  version: str(r.version),
  publisherId: str(r.publisher_id),
  keyId: str(r.key_id),
  manifest: parseStoredJson(r.manifest_json),
  package: parseStoredJson(r.package_json),
  packageDigest: str(r.package_digest),
  codeSha256: str(r.code_sha256),
  requiredScopes: scopes(r.required_scopes, 'required scopes'),
  optionalScopes: scopes(r.optional_scopes, 'optional scopes'),
  risk: member(RISK, r.risk, 'risk level'),
  publishedAt: iso(r.published_at),
  yanked: Boolean(r.yanked),
  yankReason: strOrNull(r.yank_reason),
  hidden: Boolean(r.hidden),
  hiddenReason: strOrNull(r.hidden_reason),
  keyRevoked: Boolean(r.key_revoked),
});

export const toInstallation = (r: Row): InstallationRecord => ({
  orgId: str(r.org_id),
  pluginId: str(r.plugin_id),
  version: str(r.version),
  requested: str(r.requested),
  pinned: Boolean(r.pinned),
  status: member(INSTALLATION_STATUS, r.status, 'installation status'),
  disabledReason:
    r.disabled_reason === null || r.disabled_reason === undefined
      ? null
      : member(DISABLED_REASON, r.disabled_reason, 'disabled reason'),
  pendingScopes: scopes(r.pending_scopes, 'pending scopes'),
  optionalScopes: scopes(r.optional_scopes, 'optional scopes'),
  packageDigest: str(r.package_digest),
  codeSha256: str(r.code_sha256),
  warnings: scopes(r.warnings, 'installation warnings'),
  approvalRef: strOrNull(r.approval_ref),
  installedBy: str(r.installed_by),
  installedAt: iso(r.installed_at),
  updatedAt: iso(r.updated_at),
  revision: Number(r.revision),
  ...(r.contracts === null || r.contracts === undefined
    ? {}
    : { contracts: negotiatedContracts(r.contracts) }),
});

export const toRating = (r: Row): RatingRecord => ({
  pluginId: str(r.plugin_id),
  userId: str(r.user_id),
  orgId: str(r.org_id),
  stars: Number(r.stars),
  comment: strOrNull(r.comment),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export const toReport = (r: Row): AbuseReportRecord => ({
  id: str(r.id),
  pluginId: str(r.plugin_id),
  version: str(r.version),
  category: member(CATEGORY, r.category, 'abuse category'),
  details: str(r.details),
  reporterId: str(r.reporter_id),
  orgId: str(r.org_id),
  status: member(REPORT_STATUS, r.status, 'abuse report status'),
  createdAt: iso(r.created_at),
  resolvedAt: isoOrNull(r.resolved_at),
  resolvedBy: strOrNull(r.resolved_by),
});

// Column names for patches come from these fixed maps, never from the caller; values are parameters.
export const VERSION_COLUMNS: Record<keyof PluginVersionPatch, string> = {
  yanked: 'yanked',
  yankReason: 'yank_reason',
  hidden: 'hidden',
  hiddenReason: 'hidden_reason',
  keyRevoked: 'key_revoked',
};
export const INSTALLATION_COLUMNS: Record<keyof InstallationPatch, { column: string; json?: true }> = {
  version: { column: 'version' },
  requested: { column: 'requested' },
  pinned: { column: 'pinned' },
  status: { column: 'status' },
  disabledReason: { column: 'disabled_reason' },
  pendingScopes: { column: 'pending_scopes', json: true },
  optionalScopes: { column: 'optional_scopes', json: true },
  packageDigest: { column: 'package_digest' },
  codeSha256: { column: 'code_sha256' },
  warnings: { column: 'warnings', json: true },
  approvalRef: { column: 'approval_ref' },
  contracts: { column: 'contracts', json: true },
  updatedAt: { column: 'updated_at' },
};
export const KEY_COLUMNS = {
  status: 'status',
  retiredAt: 'retired_at',
  revokedAt: 'revoked_at',
  reason: 'reason',
} as const;

/** The `SET` items of a patch, its values appended to `params` (column names only from `columns`). */
export function setClause<K extends string>(
  patch: Partial<Record<K, unknown>>,
  columns: Record<K, string | { column: string; json?: true }>,
  params: unknown[],
): string[] {
  const sets: string[] = [];
  const values: Readonly<Record<string, unknown>> = patch;
  const specs: Readonly<Record<string, string | { column: string; json?: true }>> = columns;
  for (const [key, spec] of Object.entries(specs)) {
    if (!Object.hasOwn(values, key) || values[key] === undefined) continue;
    const column = typeof spec === 'string' ? spec : spec.column;
    const asJson = typeof spec !== 'string' && spec.json === true;
    params.push(asJson ? JSON.stringify(values[key]) : values[key]);
    sets.push(`${column} = $${params.length}${asJson ? '::jsonb' : ''}`);
  }
  return sets;
}
