import {
  type Actor,
  ActorSchema,
  type AuditTrail,
  type Clock,
  createAuditTrail,
  createMemoryAuditStore,
  type GrantKind,
  type GrantRecord,
  type GrantStore,
  parseInput,
  systemClock,
} from '@intelgraph/core';
import { z } from 'zod';
import { createMemoryGrantStore } from './memory-grant-store.js';
import { anyScopeCovers, ScopeSchema } from './scope.js';

const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:/+-]+$/u, 'only letters, digits and . _ @ : / + - are allowed');
const ReasonSchema = z.string().trim().min(1).max(500);
const ScopesSchema = z.array(ScopeSchema).min(1).max(128);

const GrantInputSchema = z
  .object({
    orgId: IdSchema,
    pluginId: IdSchema,
    scopes: ScopesSchema,
    kind: z.enum(['required', 'optional']),
    reason: ReasonSchema,
  })
  .strict();
const RevokeInputSchema = z
  .object({ orgId: IdSchema, pluginId: IdSchema, scopes: ScopesSchema.optional(), reason: ReasonSchema })
  .strict();

/** Options of {@link CapabilityBroker}. */
export interface CapabilityBrokerOptions {
  /** Where grants live; defaults to an in-memory store. */
  store?: GrantStore;
  /** Where grant changes are recorded; defaults to an in-memory audit trail. */
  audit?: AuditTrail;
  clock?: Clock;
  /**
   * Told synchronously after every committed grant or revocation (for example so a host can re-check
   * runs in flight). A listener that throws is ignored: the change has happened.
   */
  onChange?: (change: GrantChange) => void;
}

/** A committed change of a plugin's grants in an org. */
export interface GrantChange {
  action: 'grant' | 'revoke';
  orgId: string;
  pluginId: string;
  scopes: string[];
}

/** Input of {@link CapabilityBroker.grant}. */
export interface GrantInput {
  orgId: string;
  pluginId: string;
  scopes: string[];
  kind: GrantKind;
  reason: string;
}

/** Input of {@link CapabilityBroker.revoke}. */
export interface RevokeInput {
  orgId: string;
  pluginId: string;
  /** When omitted, every scope of the plugin is revoked. */
  scopes?: string[];
  reason: string;
}

/**
 * Holds capability grants per org and plugin. Deny by default: a plugin has exactly the scopes granted
 * to it, required and optional kept apart. Every change is an audit event (`grant.added`,
 * `grant.revoked`) carrying the actor and the reason; if the audit write fails, the change is undone.
 *
 * The broker does not decide *who* may grant; callers (the marketplace) authorise the actor first.
 *
 * @example
 * ```ts
 * import { CapabilityBroker } from '@intelgraph/capabilities';
 * const broker = new CapabilityBroker();
 * const alice = { userId: 'alice', orgId: 'acme', roles: ['admin'] };
 * await broker.grant(alice, { orgId: 'acme', pluginId: 'sample-enricher', scopes: ['graph:read'],
 *   kind: 'required', reason: 'install' });
 * await broker.check('acme', 'sample-enricher', 'graph:read'); // true
 * await broker.revoke(alice, { orgId: 'acme', pluginId: 'sample-enricher', reason: 'uninstall' });
 * ```
 */
export class CapabilityBroker {
  readonly #store: GrantStore;
  readonly #audit: AuditTrail;
  readonly #clock: Clock;
  readonly #onChange: ((change: GrantChange) => void) | undefined;

  constructor(options: CapabilityBrokerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#onChange = options.onChange;
    this.#store = options.store ?? createMemoryGrantStore();
    this.#audit = options.audit ?? createAuditTrail({ store: createMemoryAuditStore(), clock: this.#clock });
  }

  /**
   * Grants scopes to a plugin in an org (re-granting a scope replaces its record, for example to turn
   * an optional grant into a required one). Returns the stored records.
   *
   * @example
   * ```ts
   * await broker.grant(actor, { orgId: 'acme', pluginId: 'p', scopes: ['cases:write'], kind: 'optional',
   *   reason: 'user opted in to filing findings' });
   * ```
   */
  async grant(actor: Actor, input: GrantInput): Promise<GrantRecord[]> {
    const who = parseInput(ActorSchema, actor, 'actor');
    const v = parseInput(GrantInputSchema, input, 'grant');
    const grantedAt = new Date(this.#clock.now()).toISOString();
    const scopes = [...new Set(v.scopes)].sort();
    const records: GrantRecord[] = scopes.map((scope) => ({
      orgId: v.orgId,
      pluginId: v.pluginId,
      scope,
      kind: v.kind,
      grantedBy: who.userId,
      grantedAt,
      reason: v.reason,
    }));
    const before = await this.#store.list({ orgId: v.orgId, pluginId: v.pluginId });
    const stored = await this.#store.upsert(records);
    try {
      await this.#audit.record({
        type: 'grant.added',
        actor: { userId: who.userId, orgId: who.orgId },
        subject: `plugin:${v.pluginId}`,
        orgId: v.orgId,
        data: { pluginId: v.pluginId, scopes, kind: v.kind, reason: v.reason },
      });
    } catch (error) {
      // Undo, so no grant exists without its audit event.
      const previous = before.filter((r) => scopes.includes(r.scope));
      const added = scopes.filter((s) => !previous.some((r) => r.scope === s));
      if (added.length > 0) await this.#store.remove({ orgId: v.orgId, pluginId: v.pluginId, scopes: added });
      if (previous.length > 0) await this.#store.upsert(previous);
      throw error;
    }
    this.#changed({ action: 'grant', orgId: v.orgId, pluginId: v.pluginId, scopes });
    return stored;
  }

  /**
   * Revokes some scopes of a plugin, or all of them when `scopes` is omitted. Returns the records that
   * were revoked (an empty list, and no audit event, when nothing was granted).
   *
   * @example
   * ```ts
   * const revoked = await broker.revoke(actor, { orgId: 'acme', pluginId: 'p', reason: 'uninstalled' });
   * ```
   */
  async revoke(actor: Actor, input: RevokeInput): Promise<GrantRecord[]> {
    const who = parseInput(ActorSchema, actor, 'actor');
    const v = parseInput(RevokeInputSchema, input, 'revoke');
    const removed = await this.#store.remove({
      orgId: v.orgId,
      pluginId: v.pluginId,
      ...(v.scopes ? { scopes: [...new Set(v.scopes)] } : {}),
    });
    if (removed.length === 0) return removed;
    try {
      await this.#audit.record({
        type: 'grant.revoked',
        actor: { userId: who.userId, orgId: who.orgId },
        subject: `plugin:${v.pluginId}`,
        orgId: v.orgId,
        data: { pluginId: v.pluginId, scopes: removed.map((r) => r.scope), reason: v.reason },
      });
    } catch (error) {
      await this.#store.upsert(removed);
      throw error;
    }
    this.#changed({
      action: 'revoke',
      orgId: v.orgId,
      pluginId: v.pluginId,
      scopes: removed.map((r) => r.scope),
    });
    return removed;
  }

  #changed(change: GrantChange): void {
    try {
      this.#onChange?.(change);
    } catch {
      // The grant change is committed and audited; a listener's failure must not undo or hide it.
    }
  }

  /**
   * Whether the plugin holds a grant covering `scope` (`graph:*` covers `graph:read`,
   * `net:*.example.org` covers `net:api.example.org`).
   *
   * @example
   * ```ts
   * if (!(await broker.check('acme', 'p', 'cases:write'))) throw new Error('denied');
   * ```
   */
  async check(orgId: string, pluginId: string, scope: string): Promise<boolean> {
    const o = parseInput(IdSchema, orgId, 'orgId');
    const p = parseInput(IdSchema, pluginId, 'pluginId');
    const s = parseInput(ScopeSchema, scope, 'scope');
    const grants = await this.#store.list({ orgId: o, pluginId: p });
    return anyScopeCovers(
      grants.map((g) => g.scope),
      s,
    );
  }

  /**
   * The grants of an org, optionally of one plugin, sorted by plugin then scope.
   *
   * @example
   * ```ts
   * const optional = (await broker.list('acme', 'p')).filter((g) => g.kind === 'optional');
   * ```
   */
  async list(orgId: string, pluginId?: string): Promise<GrantRecord[]> {
    const o = parseInput(IdSchema, orgId, 'orgId');
    const p = pluginId === undefined ? undefined : parseInput(IdSchema, pluginId, 'pluginId');
    return this.#store.list(p === undefined ? { orgId: o } : { orgId: o, pluginId: p });
  }

  /**
   * The granted scope strings of a plugin, sorted: what to pass to `scopeHostApi`.
   *
   * @example
   * ```ts
   * const api = scopeHostApi(hostApi, await broker.scopes('acme', 'p'));
   * ```
   */
  async scopes(orgId: string, pluginId: string): Promise<string[]> {
    return (await this.list(orgId, parseInput(IdSchema, pluginId, 'pluginId'))).map((g) => g.scope);
  }
}
