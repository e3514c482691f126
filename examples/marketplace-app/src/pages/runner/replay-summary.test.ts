import { describe, expect, it } from 'vitest';
import type { PluginRunReplay } from '../../api/types.js';
import { describeDivergence, summarizeReplay } from './replay-summary.js';

const base: PluginRunReplay = {
  runId: 'run-1',
  replayable: true,
  identical: true,
  outputSha256: 'a'.repeat(64),
  recordedOutputSha256: 'a'.repeat(64),
  reason: null,
  divergence: null,
};
const divergence = (d: Partial<NonNullable<PluginRunReplay['divergence']>>): PluginRunReplay => ({
  ...base,
  identical: false,
  outputSha256: 'b'.repeat(64),
  divergence: {
    kind: 'output',
    reason: 'differs',
    index: null,
    path: null,
    recordedPath: null,
    outputPath: null,
    ...d,
  },
});

describe('replay answers as sentences', () => {
  it('says identical, with the shortened output digest', () => {
    expect(summarizeReplay(base)).toEqual({
      severity: 'success',
      text: 'Identical: the replay made the same host calls and gave the same answer (sha256 aaaaaaaaaaaa…).',
    });
  });

  it('names the reason a run cannot be replayed', () => {
    const r = summarizeReplay({
      ...base,
      replayable: false,
      identical: false,
      outputSha256: null,
      reason: 'over_cap',
    });
    expect(r.severity).toBe('info');
    expect(r.text).toContain('(over_cap)');
  });

  it('names the first host call that differs, counted from one', () => {
    const r = divergence({
      kind: 'call',
      reason: 'different_call',
      index: 1,
      path: 'graph.search',
      recordedPath: 'graph.get',
    });
    expect(summarizeReplay(r)).toEqual({
      severity: 'error',
      text: 'Host call #2 differs (different_call): the replay called graph.search, the recording has graph.get.',
    });
  });

  it('names the output path that differs, the root as /', () => {
    expect(describeDivergence(divergence({ outputPath: '/items/0/score' }))).toBe(
      'The answer differs at /items/0/score.',
    );
    expect(describeDivergence(divergence({ outputPath: '' }))).toBe('The answer differs at /.');
  });

  it('tells an altered recording from a different answer', () => {
    expect(describeDivergence(divergence({ reason: 'recording_altered' }))).toBe(
      'The recorded answer was altered (recording_altered).',
    );
    expect(describeDivergence(divergence({ kind: 'code', reason: 'recording_altered' }))).toBe(
      'The recorded code no longer matches its digest (recording_altered).',
    );
  });
});
