import {
  type AuditTrail,
  type Clock,
  IntelGraphError,
  type KillSwitchEntry,
  type KillSwitchStore,
  type KillSwitchTarget,
  killSwitchKey,
  killSwitchKeysFor,
  parseInput,
} from '@intelgraph/core';
import { z } from 'zod';
import { IdSchema } from './input-schemas.js';

// The storage keys live in @intelgraph/core, next to the KillSwitchStore port, so storage adapters share them.
export { killSwitchKey, killSwitchKeysFor } from '@intelgraph/core';

/** How broad a kill switch is; earlier levels take precedence. */
export type KillSwitchLevel = 'global' | 'org' | 'plugin' | 'plugin_in_org';

/**
 * Precedence order: a global switch wins over an org switch, which wins over plugin switches.
 *
 * @example
 * ```ts
 * KILL_SWITCH_PRECEDENCE[0]; // 'global'
 * ```
 */
export const KILL_SWITCH_PRECEDENCE: readonly KillSwitchLevel[] = Object.freeze([
  'global',
  'org',
  'plugin',
  'plugin_in_org',
]);

/**
 * The level of a target: `{}` global, `{ org }`, `{ plugin }` (every org), `{ org, plugin }`.
 *
 * @example
 * ```ts
 * import { killSwitchLevel } from '@intelgraph/finops';
 * killSwitchLevel({ plugin: 'x' }); // 'plugin'
 * ```
 */
export function killSwitchLevel(target: KillSwitchTarget): KillSwitchLevel {
  if (target.org !== undefined && target.plugin !== undefined) return 'plugin_in_org';
  if (target.org !== undefined) return 'org';
  if (target.plugin !== undefined) return 'plugin';
  return 'global';
}

/**
 * The in-memory {@link KillSwitchStore} (one process). For several hosts use the Redis store.
 *
 * @example
 * ```ts
 * import { createMemoryKillSwitchStore } from '@intelgraph/finops';
 * const store = createMemoryKillSwitchStore();
 * ```
 */
export function createMemoryKillSwitchStore(): KillSwitchStore {
  const entries = new Map<string, KillSwitchEntry>();
  return {
    async engage(entry) {
      entries.set(killSwitchKey(entry.target), structuredClone(entry));
    },
    async release(target) {
      return entries.delete(killSwitchKey(target));
    },
    async list() {
      return [...entries.values()].map((e) => structuredClone(e));
    },
    async active(call) {
      const out: KillSwitchEntry[] = [];
      for (const key of killSwitchKeysFor(call)) {
        const e = entries.get(key);
        if (e) out.push(structuredClone(e));
      }
      return out;
    },
  };
}

const TargetSchema = z.object({ org: IdSchema.optional(), plugin: IdSchema.optional() }).strict();
const ChangeSchema = z
  .object({
    target: TargetSchema,
    reason: z.string().trim().min(3).max(500),
    actor: z.object({ userId: IdSchema, orgId: IdSchema }).passthrough(),
  })
  .strict();

/** Engage or release a switch. `reason` is required and audited with the actor. */
export interface KillSwitchChange {
  target: KillSwitchTarget;
  reason: string;
  actor: { userId: string; orgId: string };
}

/** The kill switch: engage, release, list, and the per-call check. */
export interface KillSwitch {
  engage(change: KillSwitchChange): Promise<KillSwitchEntry>;
  /** False when no switch was engaged for exactly this target. */
  release(change: KillSwitchChange): Promise<boolean>;
  list(): Promise<KillSwitchEntry[]>;
  /** Throws `KILL_SWITCH` naming the switch with the highest precedence that stops this call. */
  check(call: { org: string; plugin: string }): Promise<void>;
}

/**
 * Creates a {@link KillSwitch} over a store shared by every host; each change is appended to the audit
 * trail (`finops.kill_switch.engaged` / `.released`) with actor and reason.
 *
 * @example
 * ```ts
 * import { createAuditTrail, createMemoryAuditStore } from '@intelgraph/core';
 * import { createKillSwitch, createMemoryKillSwitchStore } from '@intelgraph/finops';
 * const ks = createKillSwitch({ store: createMemoryKillSwitchStore(), audit: createAuditTrail({ store: createMemoryAuditStore() }) });
 * await ks.engage({ target: { plugin: 'bad-plugin' }, reason: 'runaway cost', actor: { userId: 'sre', orgId: 'ops' } });
 * await ks.check({ org: 'acme', plugin: 'bad-plugin' }); // throws IntelGraphError KILL_SWITCH
 * ```
 */
export function createKillSwitch(options: {
  store: KillSwitchStore;
  audit: AuditTrail;
  clock: Clock;
  onBlocked?: (level: KillSwitchLevel) => void;
}): KillSwitch {
  const { store, audit, clock } = options;
  const normalize = (t: KillSwitchTarget): KillSwitchTarget => ({
    ...(t.org === undefined ? {} : { org: t.org }),
    ...(t.plugin === undefined ? {} : { plugin: t.plugin }),
  });
  return {
    async engage(input) {
      const change = parseInput(ChangeSchema, input, 'kill switch change');
      const target = normalize(change.target);
      const entry: KillSwitchEntry = {
        target,
        reason: change.reason,
        engagedBy: change.actor.userId,
        engagedAt: new Date(clock.now()).toISOString(),
      };
      await store.engage(entry);
      await audit.record({
        type: 'finops.kill_switch.engaged',
        actor: { userId: change.actor.userId, orgId: change.actor.orgId },
        subject: `kill_switch:${killSwitchKey(target)}`,
        orgId: target.org ?? null,
        data: { target: { ...target }, level: killSwitchLevel(target), reason: change.reason },
      });
      return entry;
    },
    async release(input) {
      const change = parseInput(ChangeSchema, input, 'kill switch change');
      const target = normalize(change.target);
      const released = await store.release(target);
      if (released) {
        await audit.record({
          type: 'finops.kill_switch.released',
          actor: { userId: change.actor.userId, orgId: change.actor.orgId },
          subject: `kill_switch:${killSwitchKey(target)}`,
          orgId: target.org ?? null,
          data: { target: { ...target }, level: killSwitchLevel(target), reason: change.reason },
        });
      }
      return released;
    },
    list: () => store.list(),
    async check(call) {
      const active = await store.active(call);
      if (active.length === 0) return;
      const rank = (e: KillSwitchEntry) => KILL_SWITCH_PRECEDENCE.indexOf(killSwitchLevel(e.target));
      const top = active.reduce((a, b) => (rank(b) < rank(a) ? b : a));
      const level = killSwitchLevel(top.target);
      options.onBlocked?.(level);
      const name = killSwitchKey(top.target);
      throw new IntelGraphError('KILL_SWITCH', `kill switch "${name}" is engaged: ${top.reason}`, {
        details: {
          switch: name,
          level,
          target: { ...top.target },
          reason: top.reason,
          engagedBy: top.engagedBy,
          engagedAt: top.engagedAt,
        },
      });
    },
  };
}
