import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { useMutation } from '../../api/hooks.js';
import { CONTRACT_SET_ENFORCEMENT } from '../../api/operations/contracts.js';
import type { ContractEdge, ContractSubject, GateMode } from '../../api/types.js';
import { ErrorState } from '../../components/state-views.js';
import { href } from '../../router.js';

const EDGES: ContractEdge[] = ['ingest', 'export'];
const MODES: { mode: GateMode; help: string }[] = [
  { mode: 'enforce', help: 'failing records are blocked' },
  { mode: 'warn', help: 'failing records pass with a warning' },
  { mode: 'off', help: 'no check' },
];

/**
 * Enforcement per edge of a subject. A change asks for a reason and may come back as a review task
 * when the `contract_enforcement` policy says so.
 */
export function EnforcementPanel({
  subject,
  onChanged,
}: {
  subject: ContractSubject;
  onChanged: () => void;
}) {
  const [pending, setPending] = useState<{ edge: ContractEdge; mode: GateMode } | null>(null);
  const [reason, setReason] = useState('');
  const set = useMutation(CONTRACT_SET_ENFORCEMENT);
  const outcome = set.data?.contractSetEnforcement;
  const modeOf = (edge: ContractEdge): GateMode =>
    subject.enforcement.find((e) => e.edge === edge)?.mode ?? 'enforce';

  return (
    <>
      <Table aria-label="Enforcement">
        <TableHead>
          <TableRow>
            <TableCell>Edge</TableCell>
            <TableCell>Mode</TableCell>
            <TableCell>Meaning</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {EDGES.map((edge) => {
            const mode = modeOf(edge);
            return (
              <TableRow key={edge}>
                <TableCell component="th" scope="row" sx={{ textTransform: 'capitalize', fontWeight: 600 }}>
                  {edge}
                </TableCell>
                <TableCell>
                  <ToggleButtonGroup
                    size="small"
                    exclusive
                    value={mode}
                    aria-label={`${edge} enforcement`}
                    onChange={(_, v: GateMode | null) => {
                      if (v && v !== mode) {
                        set.reset();
                        setReason('');
                        setPending({ edge, mode: v });
                      }
                    }}
                  >
                    {MODES.map((m) => (
                      <ToggleButton
                        key={m.mode}
                        value={m.mode}
                        color={m.mode === 'enforce' ? 'primary' : 'warning'}
                      >
                        {m.mode}
                      </ToggleButton>
                    ))}
                  </ToggleButtonGroup>
                </TableCell>
                <TableCell>
                  <Typography variant="body2" color="text.secondary">
                    {MODES.find((m) => m.mode === mode)?.help}
                  </Typography>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {outcome ? (
        outcome.status === 'pending_review' ? (
          <Alert severity="info" sx={{ mt: 2 }}>
            The change waits for approval: review task{' '}
            <a href={href(['governance', 'requests'])}>{outcome.reviewTask?.id}</a>.
          </Alert>
        ) : (
          <Alert severity="success" sx={{ mt: 2 }}>
            Enforcement updated.
          </Alert>
        )
      ) : null}
      <Dialog
        open={pending !== null}
        onClose={() => setPending(null)}
        fullWidth
        maxWidth="xs"
        aria-labelledby="enf-title"
      >
        <DialogTitle id="enf-title">
          Set {pending?.edge} enforcement to “{pending?.mode}”
        </DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <DialogContentText>
              Every enforcement change is audited; loosening it may need a reviewer's approval.
            </DialogContentText>
            <TextField
              label="Reason for the change"
              required
              multiline
              minRows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            {set.error ? <ErrorState error={set.error} title="The change was refused" /> : null}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setPending(null)}>Cancel</Button>
          <Button
            variant="contained"
            disabled={reason.trim() === '' || set.loading}
            onClick={async () => {
              if (!pending) return;
              const res = await set.run({ subject: subject.subject, ...pending, reason: reason.trim() });
              if (res) {
                setPending(null);
                onChanged();
              }
            }}
          >
            Request change
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
