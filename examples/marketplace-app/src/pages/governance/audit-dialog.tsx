import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  Step,
  StepContent,
  StepLabel,
  Stepper,
  Typography,
} from '@mui/material';
import { useQuery } from '../../api/hooks.js';
import { REVIEW_AUDIT_TRAIL } from '../../api/operations/governance.js';
import { ChainVerdict } from '../../components/chain-verdict.js';
import { CopyableDigest } from '../../components/copyable-digest.js';
import { RawDetails } from '../../components/raw-details.js';
import { EmptyState, QueryView } from '../../components/state-views.js';
import { formatTimestamp } from '../../format/time.js';
import { describeAuditEvent } from './audit-summary.js';

/** A review task's audit chain, oldest first, with whether its hash links verify. */
export function AuditDialog({ taskId, onClose }: { taskId: string | null; onClose: () => void }) {
  const trail = useQuery(REVIEW_AUDIT_TRAIL, { id: taskId ?? '' }, { skip: !taskId });
  return (
    <Dialog open={taskId !== null} onClose={onClose} fullWidth maxWidth="md" aria-labelledby="audit-title">
      <DialogTitle id="audit-title">Audit trail of {taskId}</DialogTitle>
      <DialogContent dividers>
        <QueryView
          state={trail}
          loadingLabel="Loading the audit chain"
          isEmpty={(d) => d.reviewAuditTrail.events.length === 0}
          empty={<EmptyState title="No audit event recorded yet" />}
        >
          {({ reviewAuditTrail: t }) => (
            <>
              <Box sx={{ mb: 2 }}>
                <ChainVerdict verified={t.verified} />
              </Box>
              <Stepper
                orientation="vertical"
                nonLinear
                activeStep={-1}
                component="ol"
                aria-label="Audit events"
              >
                {t.events.map((e) => (
                  <Step key={e.seq} active completed={false} component="li">
                    <StepLabel icon={<Chip size="small" label={`#${e.seq}`} />}>
                      <Typography component="span" sx={{ fontWeight: 600 }}>
                        {describeAuditEvent(e.type, e.actor?.id ?? null, e.data)}
                      </Typography>{' '}
                      <Typography component="span" variant="body2" color="text.secondary">
                        · {formatTimestamp(e.at)}
                      </Typography>
                    </StepLabel>
                    <StepContent>
                      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                        <Typography variant="caption" color="text.secondary">
                          {e.type} · hash
                        </Typography>
                        <CopyableDigest label={`hash of event ${e.seq}`} digest={e.hash} />
                      </Stack>
                      {e.data !== null ? (
                        <RawDetails label={`Event ${e.seq} data (JSON)`} value={e.data} />
                      ) : null}
                    </StepContent>
                  </Step>
                ))}
              </Stepper>
            </>
          )}
        </QueryView>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
