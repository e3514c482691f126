import type { PluginRunReplay } from '../../api/types.js';

/** How a replay answer reads: its tone and one sentence. */
export interface ReplaySummary {
  severity: 'success' | 'info' | 'error';
  text: string;
}

/** Where a replay first departed from its recording, as a sentence. */
export function describeDivergence(r: PluginRunReplay): string {
  const d = r.divergence;
  if (!d) return 'The replay differs from the recorded run.';
  if (d.kind === 'call')
    return `Host call #${(d.index ?? 0) + 1} differs (${d.reason}): the replay called ${d.path ?? 'nothing'}, the recording has ${d.recordedPath ?? 'nothing'}.`;
  if (d.kind === 'output')
    return d.outputPath === null
      ? `The recorded answer was altered (${d.reason}).`
      : `The answer differs at ${d.outputPath || '/'}.`;
  return `The recorded code no longer matches its digest (${d.reason}).`;
}

/** A replay answer: identical, not replayable (with the reason), or the divergence. */
export function summarizeReplay(r: PluginRunReplay): ReplaySummary {
  if (!r.replayable)
    return {
      severity: 'info',
      text: `This run was not recorded whole (${r.reason ?? 'not replayable'}), so it cannot be replayed.`,
    };
  if (r.identical)
    return {
      severity: 'success',
      text: `Identical: the replay made the same host calls and gave the same answer (sha256 ${r.outputSha256?.slice(0, 12) ?? '?'}…).`,
    };
  return { severity: 'error', text: describeDivergence(r) };
}
