import type { ReplayRecording, ReplayStore } from '@intelgraph/core';

/**
 * Replay recordings in memory (tests, the `database: 'memory'` host). Keeps a deep copy of each
 * recording, so a caller changing its object later changes nothing stored.
 *
 * @example
 * ```ts
 * import { createMemoryReplayStore } from '@intelgraph/host';
 * const replays = createMemoryReplayStore();
 * console.log(await replays.get('run_01')); // null
 * ```
 */
export function createMemoryReplayStore(): ReplayStore & {
  /** @internal Test access to a stored recording (to simulate tampering). */
  raw(runId: string): ReplayRecording | undefined;
} {
  const runs = new Map<string, ReplayRecording>();
  return {
    async save(recording) {
      if (!runs.has(recording.runId)) runs.set(recording.runId, structuredClone(recording));
    },
    async get(runId) {
      const r = runs.get(runId);
      return r ? structuredClone(r) : null;
    },
    async purgeExpired(now) {
      const at = Date.parse(now);
      let n = 0;
      for (const [id, r] of runs) {
        if (Date.parse(r.expiresAt) < at) {
          runs.delete(id);
          n += 1;
        }
      }
      return n;
    },
    raw: (runId) => runs.get(runId),
  };
}
