import Replay from '@mui/icons-material/Replay';
import { Alert, Box, Button, Stack } from '@mui/material';
import { useMutation } from '../../api/hooks.js';
import { PLUGIN_RUN_REPLAY } from '../../api/operations/runner.js';
import type { PluginRunReplay } from '../../api/types.js';
import { summarizeReplay } from './replay-summary.js';

/**
 * Re-executes a recorded run from its recording (a role the replay policy names: auditors and admins in
 * the demo) and shows identical or the divergence. Used by the run result and by each run event of the
 * plugin's audit log.
 */
export function ReplayAction({
  runId,
  label = 'Replay this run',
  onReplayed,
}: {
  runId: string;
  /** The button's text; where several runs are listed, name the run. */
  label?: string;
  /** Called with the answer (for example to reload an audit log, where the replay is itself audited). */
  onReplayed?: (result: PluginRunReplay) => void;
}) {
  const replay = useMutation(PLUGIN_RUN_REPLAY);
  const r = replay.data?.pluginRunReplay;
  const summary = r ? summarizeReplay(r) : null;
  return (
    <Stack spacing={1} role="group" aria-label={`Replay of ${runId}`}>
      <Box>
        <Button
          size="small"
          variant="outlined"
          startIcon={<Replay />}
          disabled={replay.loading}
          onClick={async () => {
            const data = await replay.run({ runId });
            if (data) onReplayed?.(data.pluginRunReplay);
          }}
        >
          {replay.loading ? 'Replaying…' : label}
        </Button>
      </Box>
      {replay.error ? (
        <Alert severity="warning" role="alert" aria-label="Replay refused">
          {replay.error.message}
        </Alert>
      ) : null}
      {summary ? (
        <Alert severity={summary.severity} role="status" aria-label="Replay result">
          {summary.text}
        </Alert>
      ) : null}
    </Stack>
  );
}
