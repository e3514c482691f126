import AccessTime from '@mui/icons-material/AccessTime';
import Gavel from '@mui/icons-material/Gavel';
import {
  Box,
  Button,
  Card,
  CardActions,
  CardContent,
  Chip,
  LinearProgress,
  Stack,
  Tooltip,
  Typography,
} from '@mui/material';
import type { ReviewState, ReviewTask } from '../../api/types.js';
import { CopyableDigest } from '../../components/copyable-digest.js';
import { RawDetails } from '../../components/raw-details.js';
import { formatTimestamp, slaStatus } from '../../format/time.js';
import { describeTask, kindTitle } from './task-summary.js';

const STATE_COLORS: Record<ReviewState, 'default' | 'info' | 'success' | 'error' | 'warning' | 'secondary'> =
  {
    pending: 'info',
    approved: 'success',
    applied: 'success',
    denied: 'error',
    appealed: 'secondary',
    expired: 'warning',
    withdrawn: 'default',
  };

/** One review task: kind, status, SLA countdown, quorum progress, and the actions the caller allows. */
export function TaskCard({
  task,
  now,
  actions,
}: {
  task: ReviewTask;
  now: number;
  actions: {
    label: string;
    onClick: () => void;
    color?: 'success' | 'error' | 'primary';
    variant?: 'contained' | 'outlined' | 'text';
  }[];
}) {
  const open = task.status === 'pending';
  const sla = slaStatus(task.dueAt, now, task.overdue);
  const needed = task.quorum.rules.reduce((n, r) => n + r.count, 0);
  const filled = task.quorum.rules.reduce((n, r) => n + Math.min(r.filled, r.count), 0);
  const titleId = `task-${task.id}`;
  const described = describeTask(task);
  const lastDenial = [...task.decisions]
    .reverse()
    .find((d) => d.outcome === 'denied' || d.outcome === 'deny');
  return (
    <Card
      component="article"
      aria-labelledby={titleId}
      sx={{
        borderLeft: 4,
        borderLeftColor: sla.level === 'overdue' && open ? 'error.main' : 'primary.light',
      }}
    >
      <CardContent sx={{ pb: 1 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography id={titleId} variant="subtitle1" component="h3" sx={{ fontWeight: 700 }}>
            {described.title} · {task.id}
          </Typography>
          <Chip size="small" label={kindTitle(task.kind)} variant="outlined" />
          <Chip size="small" label={task.status} color={STATE_COLORS[task.status]} />
          {task.appealOf ? (
            <Chip
              size="small"
              icon={<Gavel />}
              label={`Appeal of ${task.appealOf}`}
              color="secondary"
              variant="outlined"
            />
          ) : null}
          {task.appealTask ? (
            <Chip size="small" label={`Appealed in ${task.appealTask}`} variant="outlined" />
          ) : null}
          {open ? (
            <Chip
              size="small"
              icon={<AccessTime />}
              label={sla.label}
              color={sla.level === 'overdue' ? 'error' : sla.level === 'soon' ? 'warning' : 'default'}
              variant={sla.level === 'overdue' ? 'filled' : 'outlined'}
              aria-label={`SLA: ${sla.label}`}
            />
          ) : null}
          {open && sla.level === 'overdue' ? <Chip size="small" color="error" label="Overdue" /> : null}
          {task.escalationLevel > 0 ? (
            <Chip size="small" color="warning" label={`Escalated ×${task.escalationLevel}`} />
          ) : null}
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          Requested by <strong>{task.requester.id}</strong> on {formatTimestamp(task.createdAt)}
          {task.dueAt ? ` · due ${formatTimestamp(task.dueAt)}` : ''}
        </Typography>
        {task.reason ? (
          <Typography variant="body2" sx={{ mt: 1 }}>
            “{task.reason}”
          </Typography>
        ) : null}
        <Typography variant="body2" sx={{ mt: 1 }} aria-label="What is requested">
          {described.summary}
        </Typography>
        {described.facts.length > 0 ? (
          <Box
            component="dl"
            sx={{ m: 0, mt: 1, display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2 }}
          >
            {described.facts.map(([k, v], i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: facts may repeat a label
              <Box key={i} sx={{ display: 'contents' }}>
                <Typography component="dt" variant="body2" color="text.secondary">
                  {k}
                </Typography>
                <Typography component="dd" variant="body2" sx={{ m: 0 }}>
                  {v}
                </Typography>
              </Box>
            ))}
          </Box>
        ) : null}
        {described.digest ? (
          <Box sx={{ mt: 0.5 }}>
            <CopyableDigest label={`content digest of ${task.id}`} digest={described.digest} />
          </Box>
        ) : null}
        <RawDetails label="Request payload (JSON)" value={task.payload} />
        <Stack
          direction={{ xs: 'column', sm: 'row' }}
          spacing={2}
          sx={{ mt: 1.5, alignItems: { sm: 'center' } }}
        >
          <Box sx={{ minWidth: 200 }}>
            <Typography variant="caption" color="text.secondary">
              Quorum {filled}/{needed} · {task.quorum.denials}/{task.quorum.denyThreshold} denials
            </Typography>
            <LinearProgress
              variant="determinate"
              value={needed > 0 ? (filled / needed) * 100 : 0}
              color={task.quorum.met ? 'success' : 'primary'}
              aria-label={`Quorum ${filled} of ${needed}`}
              sx={{ height: 6, borderRadius: 3 }}
            />
          </Box>
          <Tooltip title={task.quorum.rules.map((r) => `${r.count}× ${r.selectors.join(' or ')}`).join('; ')}>
            <Typography variant="caption" color="text.secondary">
              Reviewers: {task.reviewers.join(', ') || '—'}
            </Typography>
          </Tooltip>
        </Stack>
        {lastDenial?.note ? (
          <Typography variant="body2" color="error" sx={{ mt: 1 }}>
            Denied by {lastDenial.actor?.id ?? 'policy'}: “{lastDenial.note}”
          </Typography>
        ) : null}
        {task.apply?.errorMessage ? (
          <Typography variant="body2" color="error" sx={{ mt: 1 }}>
            Apply failed ({task.apply.errorCode}): {task.apply.errorMessage}
          </Typography>
        ) : null}
      </CardContent>
      <CardActions sx={{ px: 2, pb: 2, gap: 1 }}>
        {actions.map((a) => (
          <Button
            key={a.label}
            size="small"
            color={a.color ?? 'primary'}
            variant={a.variant ?? 'text'}
            onClick={a.onClick}
            aria-label={`${a.label} ${task.id}`}
          >
            {a.label}
          </Button>
        ))}
      </CardActions>
    </Card>
  );
}
