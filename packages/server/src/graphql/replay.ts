import { IntelGraphError } from '@intelgraph/core';
import type { ExtensionHost, ReplayResult } from '@intelgraph/host';
import type { Resolvers } from './generated/types.js';

/**
 * The GraphQL SDL of run replay: `pluginRunReplay(runId)` re-executes a recorded run and says
 * whether it is identical or where it first diverged. Part of {@link typeDefs}.
 *
 * @example
 * ```ts
 * import { replayTypeDefs } from '@intelgraph/server/graphql';
 * console.log(replayTypeDefs.includes('pluginRunReplay')); // true
 * ```
 */
export const replayTypeDefs = /* GraphQL */ `
"Where a replay first departed from the recorded run."
type ReplayDivergence {
  "call (a host call differs), code (the stored code no longer matches its digest) or output (the answer differs)"
  kind: String!
  "for a call: method, arguments, extra_call, missing_call or recording_altered; else recording_altered or differs"
  reason: String!
  "the host call's position in the run, from 0 (calls only)"
  index: Int
  "the method the replay called (calls only; null for missing_call)"
  path: String
  "the method the recording holds at that position (calls only; null for extra_call)"
  recordedPath: String
  "JSON Pointer of the first difference in the answer, as { ok, value } or { ok, code } (output only)"
  outputPath: String
}

"The result of pluginRunReplay."
type PluginRunReplay {
  "the replayed run"
  runId: ID!
  "false when the run was not recorded whole (over the size cap); nothing was re-executed then"
  replayable: Boolean!
  "the replay made the same host calls and gave the same answer"
  identical: Boolean!
  "SHA-256 of the replay's answer (null when not replayable)"
  outputSha256: String
  "SHA-256 of the recorded run's answer"
  recordedOutputSha256: String!
  "where the replay first departed, when it did"
  divergence: ReplayDivergence
  "why the run is not replayable, when it is not"
  reason: String
}

"What made a run deterministic, so that it can be replayed."
type RunDeterminism {
  "the 128-bit seed of the run's Math.random (sfc32), as 32 hex digits"
  seed: String!
  "where the run's logical clock started, in milliseconds since the epoch"
  clockOrigin: Float!
}

extend type Provenance {
  "the random seed and clock origin of the run"
  determinism: RunDeterminism
}

extend type Mutation {
  "re-executes a recorded run of the org from its recording (the runs.replay permission; audited)"
  pluginRunReplay(runId: ID!): PluginRunReplay!
}
`;

function view(r: ReplayResult) {
  const d = r.divergence;
  return {
    ...r,
    outputSha256: r.outputSha256 ?? null,
    reason: r.reason ?? null,
    divergence: d
      ? {
          kind: d.kind,
          reason: d.reason,
          index: d.kind === 'call' ? d.index : null,
          path: d.kind === 'call' ? d.path : null,
          recordedPath: d.kind === 'call' ? d.recordedPath : null,
          outputPath: d.kind === 'output' ? d.path : null,
        }
      : null,
  };
}

/**
 * Resolvers of {@link replayTypeDefs}, merged with the platform's by `createGraphQLSchema`.
 *
 * @example
 * ```ts
 * import { makeExecutableSchema } from '@graphql-tools/schema';
 * import { createReplayResolvers, createResolvers, typeDefs } from '@intelgraph/server/graphql';
 * const schema = makeExecutableSchema({ typeDefs, resolvers: [createResolvers(host), createReplayResolvers(host)] });
 * ```
 */
export function createReplayResolvers(host: ExtensionHost): Resolvers {
  return {
    Mutation: {
      pluginRunReplay: async (_parent, args, ctx) => {
        if (!ctx.actor)
          throw new IntelGraphError('FORBIDDEN', 'sign in: this operation needs an authenticated actor');
        return view(await host.plugins.replay(ctx.actor, args.runId));
      },
    },
  };
}
