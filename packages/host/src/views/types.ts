import type { CompatibilityMode } from '@intelgraph/contracts';
import type { JsonValue } from '@intelgraph/core';

// The shapes the read models return (the host's public view types).

/** One plugin's run statistics for an org. */
export interface PluginUsageView {
  pluginId: string;
  /** Runs whose code executed in the sandbox (the basis of latency and cost). */
  runs: number;
  /** Executed runs that failed (plugin error, budget, output contract). */
  errors: number;
  /** Runs refused before executing: kill switch, quota, not installed, input contract. */
  denied: number;
  p50Ms: number | null;
  p95Ms: number | null;
  cpuMs: number;
  rows: number;
  cost: number;
}

/** Everything the FinOps dashboard shows for an org. */
export interface DashboardView {
  currency: string;
  plugins: PluginUsageView[];
  p95Series: { pluginId: string; points: { at: string; value: number }[] }[];
  quotas: QuotaView[];
  contractChecks: { subject: string; edge: 'ingest' | 'export'; passed: number; failed: number }[];
  approvals: { open: number; overdue: number; decided: number; medianDecisionSeconds: number | null };
  killSwitches: KillSwitchView[];
}

/** A quota rule of the org with its current usage. */
export interface QuotaView {
  id: string;
  orgId: string;
  pluginId: string | null;
  resource: string;
  limit: number;
  window: string;
  mode: string;
  used: number;
  resetAt: string | null;
}

/** An engaged kill switch that affects the org. */
export interface KillSwitchView {
  scope: 'global' | 'org' | 'plugin';
  target: string | null;
  on: boolean;
  reason: string;
  actor: string;
  at: string;
}

/** A contract subject with its versions and enforcement modes. */
export interface ContractView {
  subject: string;
  format: 'json' | 'avro';
  compatibility: CompatibilityMode;
  latest: ContractVersionView;
  versions: ContractVersionView[];
  enforcement: { edge: 'ingest' | 'export'; mode: 'enforce' | 'warn' | 'off' }[];
}

/** One registered schema version. */
export interface ContractVersionView {
  subject: string;
  version: number;
  format: 'json' | 'avro';
  schema: JsonValue;
  fingerprint: string;
  createdAt: string;
  deleted: boolean;
}
