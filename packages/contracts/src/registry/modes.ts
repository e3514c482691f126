// Compatibility modes: the mode in force for a subject or the registry, and setting (or clearing) one.
import { parseInput } from '@intelgraph/core';
import { CompatibilityModeSchema } from '../compatibility.js';
import type { SchemaRegistry } from '../registry.js';
import { effectiveMode, type RegistryContext, subjectOf } from './context.js';

/** Reading and setting the compatibility modes of a registry. */
export function createModes(
  ctx: RegistryContext,
): Pick<SchemaRegistry, 'getCompatibility' | 'setCompatibility'> {
  const { store, audit } = ctx;
  return {
    async getCompatibility(subject) {
      return subject === undefined
        ? ((await store.getCompatibility(null)) ?? ctx.fallbackMode)
        : effectiveMode(ctx, subjectOf(subject));
    },

    async setCompatibility(modeInput, subjectInput) {
      const mode =
        modeInput === null ? null : parseInput(CompatibilityModeSchema, modeInput, 'compatibility mode');
      const subject = subjectInput === undefined ? null : subjectOf(subjectInput);
      await store.setCompatibility(subject, mode);
      await audit?.({
        type: 'contract.compatibility.set',
        subject: subject === null ? 'contract:*' : `contract:${subject}`,
        data: { subject, mode },
      });
    },
  };
}
