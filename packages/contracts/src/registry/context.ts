// The state every part of a schema registry shares (the store, clock, compiled-contract cache, fallback
// mode and audit hook) and the reads they all use: input parsing, the mode in force, the latest version.
import {
  type Clock,
  type CompatibilityMode,
  IntelGraphError,
  parseInput,
  type SchemaRegistryStore,
  systemClock,
} from '@intelgraph/core';
import { z } from 'zod';
import type { ContractAuditHook } from '../audit-hook.js';
import { CompatibilityModeSchema } from '../compatibility.js';
import { type ContractCache, createContractCache } from '../compiled-contract.js';
import { FormatSchema } from '../diff.js';
import { CONTRACT_LIMITS } from '../limits.js';
import { createMemorySchemaStore } from '../memory-store.js';
import type { RegisteredSchema, SchemaRegistryOptions } from '../registry.js';

/** Subject names: letters, digits and `. _ - :`, up to 200 characters. */
export const SubjectSchema = z
  .string()
  .min(1)
  .max(CONTRACT_LIMITS.maxSubjectLength)
  .regex(
    /^[A-Za-z0-9][\w.:-]*$/u,
    'a subject is letters, digits and . _ - : and starts with a letter or digit',
  );
const VersionSchema = z.number().int().min(1).max(2_147_483_647);
/** A schema definition as `register` and `testCompatibility` take it. */
export const DefinitionSchema = z.object({ format: FormatSchema, schema: z.unknown() });

/** What every part of one registry reads. */
export interface RegistryContext {
  readonly store: SchemaRegistryStore;
  readonly clock: Clock;
  readonly cache: ContractCache;
  /** The mode used when neither the subject nor the registry has one. */
  readonly fallbackMode: CompatibilityMode;
  readonly audit: ContractAuditHook | undefined;
}

/** Builds the shared context from the registry's options; `INVALID_INPUT` for a bad default mode. */
export function createRegistryContext(options: SchemaRegistryOptions): RegistryContext {
  return {
    store: options.store ?? createMemorySchemaStore(),
    clock: options.clock ?? systemClock,
    cache: options.cache ?? createContractCache(),
    fallbackMode: parseInput(
      CompatibilityModeSchema,
      options.defaultCompatibility ?? 'BACKWARD',
      'defaultCompatibility',
    ),
    audit: options.audit,
  };
}

/** A subject name from the caller; `INVALID_INPUT` when it is not one. */
export const subjectOf = (s: unknown): string => parseInput(SubjectSchema, s, 'subject');
/** A version number from the caller; `INVALID_INPUT` when it is not one. */
export const versionOf = (v: unknown): number => parseInput(VersionSchema, v, 'version');

/** The mode in force for a subject: its own, else the registry's, else the fallback. */
export async function effectiveMode(ctx: RegistryContext, subject: string): Promise<CompatibilityMode> {
  const { store } = ctx;
  return (await store.getCompatibility(subject)) ?? (await store.getCompatibility(null)) ?? ctx.fallbackMode;
}

/** The latest live version of a subject; `NOT_FOUND` when it has none. */
export async function latestLive(ctx: RegistryContext, subject: string): Promise<RegisteredSchema> {
  const live = await ctx.store.listVersions(subject);
  const last = live.at(-1);
  if (!last)
    throw new IntelGraphError('NOT_FOUND', `subject ${subject} has no live schema version`, {
      details: { subject },
    });
  return last;
}
