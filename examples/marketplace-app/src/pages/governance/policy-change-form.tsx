import AttachFile from '@mui/icons-material/AttachFile';
import { Alert, Box, Button, Chip, Grid, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useMutation } from '../../api/hooks.js';
import { type EvidenceInput, REQUEST_POLICY_CHANGE } from '../../api/operations/governance.js';
import type { JsonValue, ReviewTask } from '../../api/types.js';
import { FileButton } from '../../components/file-button.js';
import { JsonEditor, parseJson } from '../../components/json-editor.js';
import { ErrorState } from '../../components/state-views.js';

/** The policies the demo's host governs, one per request kind; a policy change can target any of them. */
const POLICY_KINDS = ['policy_change', 'export', 'plugin_install', 'entity_merge', 'contract_enforcement'];

/**
 * What this form files: policy changes (`requestPolicyChange(kind: "policy_change", payload: { kind,
 * params })`). Exports, high-risk installs, merges and enforcement changes are requested by those
 * operations themselves (the export, install, merge and contract pages), never as free-form payloads.
 */
export const REQUEST_KINDS = [{ kind: 'policy_change', label: 'Change a policy' }];

async function toEvidence(file: File): Promise<EvidenceInput> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return {
    name: file.name,
    mediaType: file.type || 'application/octet-stream',
    content: btoa(binary),
    encoding: 'base64',
  };
}

/** Files a governed request; a policy change names the policy and the params to set. */
export function PolicyChangeForm({ onRequested }: { onRequested: (task: ReviewTask) => void }) {
  const [kind, setKind] = useState('policy_change');
  const [policy, setPolicy] = useState('export');
  const [params, setParams] = useState('{\n  "maxRecords": 10000\n}');
  const [reason, setReason] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const request = useMutation(REQUEST_POLICY_CHANGE);

  const body = parseJson(params);
  const valid = body.ok && reason.trim() !== '';

  async function submit() {
    if (!body.ok) return;
    const value: JsonValue = { kind: policy, params: body.value };
    const evidence = files.length > 0 ? await Promise.all(files.map(toEvidence)) : null;
    const res = await request.run({ kind, payload: value, reason: reason.trim(), evidence });
    if (res) {
      setReason('');
      setFiles([]);
      onRequested(res.requestPolicyChange);
    }
  }

  const created = request.data?.requestPolicyChange;
  return (
    <Box
      component="form"
      aria-label="Request a policy change"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, sm: 6 }}>
          <TextField
            select
            fullWidth
            label="Request kind"
            value={kind}
            onChange={(e) => setKind(e.target.value)}
            slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
          >
            {REQUEST_KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label} ({k.kind})
              </option>
            ))}
          </TextField>
        </Grid>
        <Grid size={{ xs: 12, sm: 6 }}>
          <TextField
            select
            fullWidth
            label="Policy to change"
            value={policy}
            onChange={(e) => setPolicy(e.target.value)}
            slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
          >
            {POLICY_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </TextField>
        </Grid>
        <Grid size={12}>
          <JsonEditor
            label="New policy params"
            value={params}
            onChange={setParams}
            minRows={4}
            helperText="Only params the policy declares, each keeping its type; null removes one."
          />
        </Grid>
        <Grid size={12}>
          <TextField
            fullWidth
            required
            multiline
            minRows={2}
            label="Reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            helperText="Reviewers decide on this; say why and what evidence backs it."
          />
        </Grid>
        <Grid size={12}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
            <FileButton
              label="Attach evidence"
              size="small"
              multiple
              startIcon={<AttachFile />}
              onFiles={setFiles}
            />
            {files.map((f) => (
              <Chip
                key={f.name}
                size="small"
                label={f.name}
                onDelete={() => setFiles((prev) => prev.filter((x) => x !== f))}
              />
            ))}
            {files.length === 0 ? (
              <Typography variant="caption" color="text.secondary">
                Optional; each file is stored with its SHA-256.
              </Typography>
            ) : null}
          </Stack>
        </Grid>
        <Grid size={12}>
          {request.error ? <ErrorState error={request.error} title="The request was not filed" /> : null}
          {created ? (
            <Alert
              severity={created.status === 'pending' ? 'info' : 'success'}
              sx={{ mb: 2 }}
              aria-label="Request filed"
            >
              Request {created.id} is {created.status}
              {created.status === 'pending'
                ? `, waiting for ${created.reviewers.join(', ') || 'reviewers'}`
                : ''}
              .
            </Alert>
          ) : null}
          <Button type="submit" variant="contained" disabled={!valid || request.loading}>
            Submit request
          </Button>
        </Grid>
      </Grid>
    </Box>
  );
}
