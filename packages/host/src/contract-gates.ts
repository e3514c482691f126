import {
  auditTrailHook,
  type ContractGate,
  createContractGate,
  type GateDecision,
  type GateEdge,
  type GateMode,
  type SchemaRegistry,
} from '@intelgraph/contracts';
import type { Actor, AuditTrail } from '@intelgraph/core';
import { IntelGraphError } from '@intelgraph/core';
import type { FinOps } from '@intelgraph/finops';

/** A contract reference as manifests carry it. */
export interface ContractRef {
  subject: string;
  version?: number;
}

/** Options of {@link ContractGates.check}. */
export interface CheckOptions {
  /**
   * `trail` (default): the decision is its own `contract.gate.decision` audit event. `caller`: the
   * caller records `decisionSummary(decision)` (from `@intelgraph/contracts`) inside an event of its own (a plugin run does, so that one
   * run is one audit event carrying its input and output contract decisions).
   */
  audit?: 'trail' | 'caller';
}

/** Gates per (edge, subject, version), built once and reused; enforcement modes per subject and edge. */
export interface ContractGates {
  check(
    edge: GateEdge,
    ref: ContractRef,
    records: readonly unknown[],
    actor: Actor | null,
    options?: CheckOptions,
  ): Promise<GateDecision>;
  /** A `CONTRACT_VIOLATION` error carrying the decision's failing records, issues and suggested patches. */
  violation(decision: GateDecision, what: string): IntelGraphError;
  mode(subject: string, edge: GateEdge): GateMode;
  setMode(subject: string, edge: GateEdge, mode: GateMode): void;
  modes(subject: string): { edge: GateEdge; mode: GateMode }[];
  /** Drops cached gates of a subject (after a new version is registered). */
  refresh(subject: string): void;
}

/**
 * Creates the host's contract gates. Every decision is audited (through the contracts package's audit
 * hook) and counted in `contract_checks_total`.
 *
 * @example
 * ```ts
 * const gates = createContractGates({ registry, audit, finops });
 * const decision = await gates.check('ingest', { subject: 'person' }, records, actor);
 * if (!decision.ok) throw gates.violation(decision, 'ingest');
 * ```
 */
export function createContractGates(deps: {
  registry: SchemaRegistry;
  audit: AuditTrail;
  finops: FinOps;
}): ContractGates {
  const gates = new Map<string, ContractGate>();
  const modes = new Map<string, GateMode>();
  const key = (edge: GateEdge, ref: ContractRef, mode: GateMode, actor: Actor | null, audited: boolean) =>
    `${edge}\u0000${ref.subject}\u0000${ref.version ?? 'latest'}\u0000${mode}\u0000${actor?.orgId ?? ''}\u0000${actor?.userId ?? ''}\u0000${audited ? 'trail' : 'caller'}`;
  const modeOf = (subject: string, edge: GateEdge): GateMode =>
    modes.get(`${subject}\u0000${edge}`) ?? 'enforce';

  return {
    async check(edge, ref, records, actor, options) {
      const mode = modeOf(ref.subject, edge);
      const audited = options?.audit !== 'caller';
      const k = key(edge, ref, mode, actor, audited);
      let gate = gates.get(k);
      if (!gate) {
        // Bounded: one gate per subject/version/mode/edge/user in practice; clear if it grows unusually.
        if (gates.size > 10_000) gates.clear();
        gate = createContractGate({
          registry: deps.registry,
          subject: ref.subject,
          ...(ref.version === undefined ? {} : { version: ref.version }),
          mode,
          edge,
          ...(audited
            ? {
                audit: auditTrailHook(deps.audit, {
                  actor: actor ? { userId: actor.userId, orgId: actor.orgId } : null,
                  orgId: actor?.orgId ?? null,
                }),
              }
            : {}),
        });
        gates.set(k, gate);
      }
      const decision = await gate.checkBatch(records);
      deps.finops.meters.recordContractCheck({
        subject: ref.subject,
        edge,
        // The meter's label values (and the dashboard's queries) are pass | warn | fail.
        result: decision.ok ? (decision.outcome === 'warned' ? 'warn' : 'pass') : 'fail',
      });
      return decision;
    },
    violation(decision, what) {
      const failing = decision.findings.filter((f) => !f.ok);
      const first = failing[0]?.issues[0];
      return new IntelGraphError(
        'CONTRACT_VIOLATION',
        `${what} violates contract ${decision.subject}@${decision.version ?? '?'}: ${failing.length} of ${decision.total} record(s) failed${first ? ` (${first.path || '/'}: ${first.message})` : ''}`,
        {
          details: {
            subject: decision.subject,
            version: decision.version,
            edge: decision.edge,
            failed: decision.failed,
            total: decision.total,
            findings: failing.map((f) => ({
              index: f.index,
              issues: f.issues,
              warnings: f.warnings,
              suggestion: f.suggestion ?? null,
            })),
          },
        },
      );
    },
    mode: modeOf,
    setMode(subject, edge, mode) {
      modes.set(`${subject}\u0000${edge}`, mode);
      for (const k of [...gates.keys()]) if (k.startsWith(`${edge}\u0000${subject}\u0000`)) gates.delete(k);
    },
    modes(subject) {
      return (['ingest', 'export'] as const).map((edge) => ({ edge, mode: modeOf(subject, edge) }));
    },
    refresh(subject) {
      for (const [k, gate] of gates) if (k.split('\u0000')[1] === subject) gate.refresh();
    },
  };
}
