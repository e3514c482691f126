import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { useMutation } from '../../api/hooks.js';
import { REVIEW_APPEAL, REVIEW_APPROVE, REVIEW_DENY } from '../../api/operations/governance.js';
import type { ReviewTask } from '../../api/types.js';
import { ErrorState } from '../../components/state-views.js';
import { describeTask } from './task-summary.js';

export type DecisionKind = 'approve' | 'deny' | 'appeal';

const COPY: Record<
  DecisionKind,
  { title: string; field: string; button: string; required: boolean; help: string }
> = {
  approve: {
    title: 'Approve',
    field: 'Note (optional)',
    button: 'Approve',
    required: false,
    help: 'On quorum the change is applied exactly once.',
  },
  deny: {
    title: 'Deny',
    field: 'Reason for denial',
    button: 'Deny',
    required: true,
    help: 'The requester sees this reason and may appeal.',
  },
  appeal: {
    title: 'Appeal',
    field: 'Grounds for appeal',
    button: 'Lodge appeal',
    required: true,
    help: 'The appeal is a new review with a fresh set of approvers.',
  },
};

/** The approve, deny and appeal modals; deny and appeal require a reason. */
export function DecisionDialog({
  task,
  kind,
  onClose,
  onDone,
}: {
  task: ReviewTask | null;
  kind: DecisionKind;
  onClose: () => void;
  onDone: (task: ReviewTask) => void;
}) {
  const [text, setText] = useState('');
  const approve = useMutation(REVIEW_APPROVE);
  const deny = useMutation(REVIEW_DENY);
  const appeal = useMutation(REVIEW_APPEAL);
  const active = kind === 'approve' ? approve : kind === 'deny' ? deny : appeal;
  const copy = COPY[kind];
  const described = task ? describeTask(task) : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when another task or action opens
  useEffect(() => {
    setText('');
    approve.reset();
    deny.reset();
    appeal.reset();
  }, [task?.id, kind]);

  async function submit() {
    if (!task) return;
    const reason = text.trim();
    let done: ReviewTask | undefined;
    if (kind === 'approve') done = (await approve.run({ id: task.id, note: reason || null }))?.reviewApprove;
    else if (kind === 'deny') done = (await deny.run({ id: task.id, reason }))?.reviewDeny;
    else done = (await appeal.run({ id: task.id, reason }))?.reviewAppeal;
    if (done) onDone(done);
  }

  return (
    <Dialog open={task !== null} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="decision-title">
      <DialogTitle id="decision-title">
        {copy.title}: {described?.title ?? task?.kind} ({task?.id})
      </DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {described ? <Typography variant="body2">{described.summary}</Typography> : null}
          {kind === 'approve' && described && described.scopes.length > 0 ? (
            <Box component="section" aria-labelledby="granted-title">
              <Typography id="granted-title" variant="subtitle2" component="h3">
                Approving grants {described.scopes.length === 1 ? 'this scope' : 'these scopes'}
              </Typography>
              <Box component="ul" sx={{ m: 0, pl: 2.5 }} aria-label="Scopes being granted">
                {described.scopes.map((s) => (
                  <li key={s}>
                    <code>{s}</code>
                    {described.highRiskScopes.includes(s) ? ' (high risk: the reason for this review)' : ''}
                  </li>
                ))}
              </Box>
            </Box>
          ) : null}
          {task?.reason ? (
            <Alert severity="info" icon={false}>
              <strong>{task.requester.id}</strong> asked: “{task.reason}”
            </Alert>
          ) : null}
          <TextField
            label={copy.field}
            required={copy.required}
            multiline
            minRows={3}
            value={text}
            onChange={(e) => setText(e.target.value)}
            helperText={copy.help}
            autoFocus
          />
          {active.error ? <ErrorState error={active.error} title={`${copy.title} failed`} /> : null}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          color={kind === 'deny' ? 'error' : kind === 'approve' ? 'success' : 'primary'}
          disabled={(copy.required && text.trim() === '') || active.loading}
          onClick={submit}
        >
          {copy.button}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
