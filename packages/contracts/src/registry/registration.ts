// Registering versions: the compatibility check of a candidate against the subject's live history (also
// without registering, for testCompatibility), and the append that retries when another writer won.
import {
  type CompatibilityMode,
  IntelGraphError,
  isIntelGraphError,
  parseInput,
  type SchemaFormat,
} from '@intelgraph/core';
import { type CompatibilityResult, checkCompatibilityWithHistory } from '../compatibility.js';
import type { RegisteredSchema, SchemaRegistry } from '../registry.js';
import { DefinitionSchema, effectiveMode, type RegistryContext, subjectOf } from './context.js';

const MAX_APPEND_ATTEMPTS = 20;

/** Whether `schema` may follow the live versions under `mode`; a format change never may. */
function check(
  live: RegisteredSchema[],
  format: SchemaFormat,
  schema: unknown,
  mode: CompatibilityMode,
): CompatibilityResult {
  const formatClash = live.find((r) => r.format !== format);
  if (formatClash)
    return {
      compatible: false,
      issues: [
        {
          code: 'format-changed',
          path: '',
          version: formatClash.version,
          message: `the subject holds ${formatClash.format} schemas; a ${format} schema cannot follow them`,
        },
      ],
    };
  return checkCompatibilityWithHistory(
    live.map((r) => r.schema),
    schema,
    { format, mode, versions: live.map((r) => r.version) },
  );
}

/** Registering versions and testing candidates against a registry's subjects. */
export function createRegistration(
  ctx: RegistryContext,
): Pick<SchemaRegistry, 'register' | 'testCompatibility'> {
  const { store, clock, cache, audit } = ctx;
  return {
    async register(subjectInput, definitionInput) {
      const subject = subjectOf(subjectInput);
      const def = parseInput(DefinitionSchema, definitionInput, 'schema definition');
      const compiled = cache.compile(def.format, def.schema);
      for (let attempt = 1; ; attempt++) {
        const expectedLatestVersion = await store.maxVersion(subject);
        const live = await store.listVersions(subject);
        const same = live.find((r) => r.fingerprint === compiled.fingerprint);
        if (same) return { ...same, created: false, warnings: compiled.warnings };
        const mode = await effectiveMode(ctx, subject);
        const result =
          live.length === 0
            ? { compatible: true, issues: [] }
            : check(live, def.format, compiled.schema, mode);
        if (!result.compatible)
          throw new IntelGraphError(
            'SCHEMA_INCOMPATIBLE',
            `schema is not ${mode} compatible with subject ${subject}: ${result.issues.length} issue(s); first: ${result.issues[0]?.message}`,
            { details: { subject, mode, issues: result.issues } },
          );
        try {
          const record = await store.appendVersion({
            subject,
            format: def.format,
            schema: compiled.schema,
            fingerprint: compiled.fingerprint,
            createdAt: new Date(clock.now()).toISOString(),
            expectedLatestVersion,
          });
          await audit?.({
            type: 'contract.schema.registered',
            subject: `contract:${subject}`,
            data: {
              subject,
              version: record.version,
              format: record.format,
              fingerprint: record.fingerprint,
              mode,
            },
          });
          return { ...record, created: true, warnings: compiled.warnings };
        } catch (e) {
          // Another writer appended first: re-check against the history it created.
          if (!isIntelGraphError(e, 'CONFLICT') || attempt >= MAX_APPEND_ATTEMPTS) throw e;
        }
      }
    },

    async testCompatibility(subjectInput, definitionInput) {
      const subject = subjectOf(subjectInput);
      const def = parseInput(DefinitionSchema, definitionInput, 'schema definition');
      const compiled = cache.compile(def.format, def.schema);
      const live = await store.listVersions(subject);
      if (live.length === 0) return { compatible: true, issues: [] };
      return check(live, def.format, compiled.schema, await effectiveMode(ctx, subject));
    },
  };
}
