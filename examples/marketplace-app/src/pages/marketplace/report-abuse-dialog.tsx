import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
} from '@mui/material';
import { useState } from 'react';
import { useMutation } from '../../api/hooks.js';
import { PLUGIN_REPORT } from '../../api/operations/marketplace.js';
import type { PluginDetail } from '../../api/types.js';
import { ErrorState } from '../../components/state-views.js';

const CATEGORIES = [
  { value: 'malware', label: 'Malware or data exfiltration' },
  { value: 'privacy', label: 'Privacy violation' },
  { value: 'misleading', label: 'Misleading description or capabilities' },
  { value: 'spam', label: 'Spam' },
  { value: 'other', label: 'Other' },
];

/** Reports a plugin (optionally one version) to the moderators, with a category and a reason. */
export function ReportAbuseDialog({
  plugin,
  open,
  onClose,
}: {
  plugin: PluginDetail;
  open: boolean;
  onClose: () => void;
}) {
  const [category, setCategory] = useState('malware');
  const [version, setVersion] = useState('');
  const [reason, setReason] = useState('');
  const report = useMutation(PLUGIN_REPORT);
  const done = report.data?.pluginReport;
  const close = () => {
    report.reset();
    setReason('');
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} maxWidth="sm" fullWidth aria-labelledby="report-title">
      <DialogTitle id="report-title">Report {plugin.name}</DialogTitle>
      <DialogContent dividers>
        {done ? (
          <Alert severity="success">
            Report {done.id} filed.{' '}
            {done.hidden ? 'The version is hidden from search until a moderator reviews it.' : ''}
          </Alert>
        ) : (
          <Stack spacing={2} sx={{ pt: 1 }}>
            <TextField select label="Category" value={category} onChange={(e) => setCategory(e.target.value)}>
              {CATEGORIES.map((c) => (
                <MenuItem key={c.value} value={c.value}>
                  {c.label}
                </MenuItem>
              ))}
            </TextField>
            <TextField select label="Version" value={version} onChange={(e) => setVersion(e.target.value)}>
              <MenuItem value="">Every version</MenuItem>
              {plugin.versions.map((v) => (
                <MenuItem key={v.version} value={v.version}>
                  {v.version}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              label="What happened?"
              required
              multiline
              minRows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              helperText="Moderators read this; include what you saw and when."
            />
            {report.error ? <ErrorState error={report.error} title="The report was not filed" /> : null}
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        {done ? (
          <Button onClick={close} variant="contained">
            Close
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button
              color="error"
              variant="contained"
              disabled={reason.trim() === '' || report.loading}
              onClick={() =>
                report.run({ id: plugin.id, version: version || null, category, reason: reason.trim() })
              }
            >
              Send report
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
