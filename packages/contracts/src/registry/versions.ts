// Reading and deleting versions: the latest, one version, the lists, soft deletes, and the compiled
// contract of a version (compiled once per fingerprint) with validation against it.
import { IntelGraphError } from '@intelgraph/core';
import type { RegisteredSchema, ResolvedContract, SchemaRegistry } from '../registry.js';
import { latestLive, type RegistryContext, subjectOf, versionOf } from './context.js';

type Versions = Pick<
  SchemaRegistry,
  'getLatest' | 'getVersion' | 'listSubjects' | 'listVersions' | 'deleteVersion' | 'resolve' | 'validate'
>;

/** The version reads, deletes and compiled contracts of a registry. */
export function createVersions(ctx: RegistryContext): Versions {
  const { store, clock, cache, audit } = ctx;

  async function getVersion(
    subjectInput: string,
    versionInput: number,
    opts: { includeDeleted?: boolean } = {},
  ): Promise<RegisteredSchema> {
    const subject = subjectOf(subjectInput);
    const version = versionOf(versionInput);
    const r = await store.getVersion(subject, version);
    if (!r || (r.deletedAt !== null && !opts.includeDeleted))
      throw new IntelGraphError('NOT_FOUND', `subject ${subject} has no live version ${version}`, {
        details: { subject, version },
      });
    return r;
  }

  async function resolve(subjectInput: string, versionInput?: number): Promise<ResolvedContract> {
    const subject = subjectOf(subjectInput);
    const record =
      versionInput === undefined ? await latestLive(ctx, subject) : await getVersion(subject, versionInput);
    return {
      subject,
      version: record.version,
      format: record.format,
      fingerprint: record.fingerprint,
      compiled: cache.lookup(record.fingerprint) ?? cache.compile(record.format, record.schema),
    };
  }

  return {
    async getLatest(subject) {
      return latestLive(ctx, subjectOf(subject));
    },

    getVersion,

    listSubjects: () => store.listSubjects(),

    async listVersions(subject, opts = {}) {
      return store.listVersions(subjectOf(subject), { includeDeleted: opts.includeDeleted === true });
    },

    async deleteVersion(subjectInput, versionInput) {
      const subject = subjectOf(subjectInput);
      const version = versionOf(versionInput);
      const at = new Date(clock.now()).toISOString();
      if (!(await store.softDeleteVersion(subject, version, at)))
        throw new IntelGraphError('NOT_FOUND', `subject ${subject} has no live version ${version}`, {
          details: { subject, version },
        });
      await audit?.({
        type: 'contract.schema.deleted',
        subject: `contract:${subject}`,
        data: { subject, version },
      });
      const r = await store.getVersion(subject, version);
      if (!r) throw new IntelGraphError('INTERNAL', `version ${version} of ${subject} vanished`);
      return r;
    },

    resolve,

    async validate(subject, payload, opts = {}) {
      const resolved = await resolve(subject, opts.version);
      return resolved.compiled.validate(payload);
    },
  };
}
