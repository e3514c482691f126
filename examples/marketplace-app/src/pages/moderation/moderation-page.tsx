import Flag from '@mui/icons-material/Flag';
import {
  Alert,
  Box,
  Button,
  Card,
  CardActions,
  CardContent,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks.js';
import {
  MODERATION_QUEUE,
  MODERATION_RESOLVE,
  MODERATION_SET_HIDDEN,
} from '../../api/operations/moderation.js';
import type { ModerationItem, ModerationResolution } from '../../api/types.js';
import { useIdentity } from '../../auth/identity-context.js';
import { PageHeader } from '../../components/page-header.js';
import { Section } from '../../components/section.js';
import { EmptyState, ErrorState, QueryView } from '../../components/state-views.js';
import { plural } from '../../format/plural.js';
import { formatTimestamp } from '../../format/time.js';
import { href } from '../../router.js';

type Action = 'hide' | 'unhide' | 'resolve';
const CATEGORY: Record<string, string> = {
  malware: 'Malware',
  data_exfiltration: 'Data exfiltration',
  privacy: 'Privacy',
  impersonation: 'Impersonation',
  spam: 'Spam',
  inappropriate: 'Inappropriate',
  broken: 'Broken',
  other: 'Other',
};
const category = (c: string) => CATEGORY[c] ?? c;

function ReportCard({ item, onAct }: { item: ModerationItem; onAct: (a: Action) => void }) {
  const name = `${item.pluginId}@${item.version}`;
  const titleId = `mod-${item.pluginId}-${item.version}`.replace(/[^a-z0-9-]/gi, '-');
  return (
    <Card component="article" aria-labelledby={titleId}>
      <CardContent sx={{ pb: 1 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography id={titleId} variant="subtitle1" component="h3" sx={{ fontWeight: 700 }}>
            {name}
          </Typography>
          <Chip
            size="small"
            icon={<Flag />}
            color={item.openReports > 0 ? 'error' : 'default'}
            label={`${plural(item.openReports, 'open report')}`}
          />
          <Chip size="small" variant="outlined" label={`from ${plural(item.reportingOrgs, 'org')}`} />
          {item.hidden ? <Chip size="small" color="warning" label="Hidden from search" /> : null}
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          {item.categories.map((c) => `${category(c.category)} × ${c.count}`).join(' · ') || 'No open report'}
          {item.lastReportedAt ? ` · last reported ${formatTimestamp(item.lastReportedAt)}` : ''}
          {item.hidden && item.hiddenReason
            ? ` · hidden: ${item.hiddenReason.replace(/^moderator: /, 'by a moderator, ')}`
            : ''}
        </Typography>
        <Box component="ul" sx={{ mt: 1, mb: 0, pl: 2.5 }} aria-label={`Reports on ${name}`}>
          {item.reports.map((r) => (
            <li key={r.id}>
              <Typography variant="body2" component="span">
                <strong>{category(r.category)}</strong>
                {r.details ? `: “${r.details}”` : ''} — {r.reporterId} ({r.orgId}),{' '}
                {formatTimestamp(r.createdAt)}
                {r.status !== 'open' ? ` · ${r.status} by ${r.resolvedBy ?? '?'}` : ''}
              </Typography>
            </li>
          ))}
        </Box>
        <Button size="small" href={href(['plugins', item.pluginId])} sx={{ mt: 1 }}>
          Open {item.pluginId} in the catalog
        </Button>
      </CardContent>
      <CardActions sx={{ px: 2, pb: 2, gap: 1 }}>
        {item.openReports > 0 ? (
          <Button
            variant="contained"
            size="small"
            onClick={() => onAct('resolve')}
            aria-label={`Resolve reports on ${name}`}
          >
            Resolve reports
          </Button>
        ) : null}
        {item.hidden ? (
          <Button
            size="small"
            variant="outlined"
            onClick={() => onAct('unhide')}
            aria-label={`Unhide ${name}`}
          >
            Unhide
          </Button>
        ) : (
          <Button
            size="small"
            variant="outlined"
            color="error"
            onClick={() => onAct('hide')}
            aria-label={`Hide ${name}`}
          >
            Hide
          </Button>
        )}
      </CardActions>
    </Card>
  );
}

function ActionDialog({
  target,
  onClose,
  onDone,
}: {
  target: { item: ModerationItem; action: Action } | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<'upheld' | 'dismissed'>('dismissed');
  const hide = useMutation(MODERATION_SET_HIDDEN);
  const resolve = useMutation(MODERATION_RESOLVE);
  const active = target?.action === 'resolve' ? resolve : hide;
  const opened = target ? `${target.item.pluginId}@${target.item.version}:${target.action}` : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when another version or action opens
  useEffect(() => {
    setReason('');
    setOutcome('dismissed');
    hide.reset();
    resolve.reset();
  }, [opened]);
  const name = target ? `${target.item.pluginId}@${target.item.version}` : '';
  const title =
    target?.action === 'resolve'
      ? `Resolve reports on ${name}`
      : target?.action === 'hide'
        ? `Hide ${name}`
        : `Unhide ${name}`;

  async function submit() {
    if (!target) return;
    const base = { pluginId: target.item.pluginId, version: target.item.version, reason: reason.trim() };
    if (target.action === 'resolve') {
      const ok = await resolve.run({ ...base, outcome });
      if (ok) onDone(`${plural(target.item.openReports, 'report')} on ${name} ${outcome}.`);
    } else {
      const ok = await hide.run({ ...base, hidden: target.action === 'hide' });
      if (ok) onDone(`${name} is ${target.action === 'hide' ? 'hidden from search' : 'listed again'}.`);
    }
  }

  return (
    <Dialog
      open={target !== null}
      onClose={onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="moderation-title"
    >
      <DialogTitle id="moderation-title">{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <DialogContentText>
            {target?.action === 'resolve'
              ? `Closes all ${plural(target.item.openReports, 'open report')} with your decision and reason; the reporters' orgs see the outcome. Visibility does not change.`
              : target?.action === 'hide'
                ? 'Takes this version out of search and the catalog; installed copies keep running. Reports stay open until resolved.'
                : 'Lists this version in search and the catalog again.'}{' '}
            The action is audited.
          </DialogContentText>
          {target?.action === 'resolve' ? (
            <TextField
              select
              label="Decision"
              value={outcome}
              onChange={(e) => setOutcome(e.target.value as 'upheld' | 'dismissed')}
              slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
            >
              <option value="dismissed">Dismiss: the reports are unfounded</option>
              <option value="upheld">Uphold: the reports are right</option>
            </TextField>
          ) : null}
          <TextField
            label="Reason"
            required
            multiline
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            helperText="Recorded in the audit log with your name."
          />
          {active.error ? <ErrorState error={active.error} title="The action failed" /> : null}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={reason.trim() === '' || active.loading} onClick={submit}>
          {target?.action === 'resolve' ? 'Resolve' : target?.action === 'hide' ? 'Hide' : 'Unhide'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function Resolutions({ items }: { items: ModerationResolution[] }) {
  if (items.length === 0)
    return <Typography color="text.secondary">No report has been resolved yet.</Typography>;
  return (
    <Box component="ul" sx={{ m: 0, pl: 2.5 }} aria-label="Recently resolved">
      {items.map((r) => (
        <li key={`${r.at}-${r.pluginId}-${r.version}`}>
          <Typography variant="body2" component="span">
            {r.moderator} {r.outcome} {plural(r.reports.length, 'report')} on {r.pluginId}@{r.version}: “
            {r.reason}” · {formatTimestamp(r.at)}
          </Typography>
        </li>
      ))}
    </Box>
  );
}

/** The moderators' queue: abuse reports per plugin and version, hide/unhide, resolve with a reason. */
export function ModerationPage() {
  const { identity } = useIdentity();
  const moderator = identity.roles.includes('moderator');
  const [refreshKey, setRefreshKey] = useState(0);
  const [target, setTarget] = useState<{ item: ModerationItem; action: Action } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const queue = useQuery(MODERATION_QUEUE, { includeResolved: false }, { skip: !moderator, refreshKey });
  return (
    <>
      <PageHeader
        title="Moderation"
        subtitle="Abuse reports per plugin and version. Hide a version from search, or resolve its reports with a reason; every action is audited."
      />
      {!moderator ? (
        <Alert severity="info">
          Only moderators see abuse reports; {identity.userId}'s roles are {identity.roles.join(', ')}. Switch
          to a moderator (dave in the demo) to work the queue.
        </Alert>
      ) : (
        <Stack spacing={3}>
          {notice ? (
            <Alert severity="success" role="status" onClose={() => setNotice(null)}>
              {notice}
            </Alert>
          ) : null}
          <QueryView
            state={queue}
            loadingLabel="Loading the reports"
            isEmpty={(d) => d.moderationQueue.items.length === 0 && d.moderationQueue.recent.length === 0}
            empty={
              <EmptyState title="No abuse report is open">
                Reports filed from a plugin's page appear here.
              </EmptyState>
            }
          >
            {({ moderationQueue: q }) => (
              <Stack spacing={3}>
                <Section title={`Open reports (${plural(q.items.length, 'version')})`}>
                  {q.items.length === 0 ? (
                    <Typography color="text.secondary">Nothing waits for a decision.</Typography>
                  ) : (
                    <Stack
                      component="ul"
                      spacing={2}
                      sx={{ listStyle: 'none', p: 0, m: 0 }}
                      aria-label="Reported versions"
                    >
                      {q.items.map((item) => (
                        <li key={`${item.pluginId}@${item.version}`}>
                          <ReportCard item={item} onAct={(action) => setTarget({ item, action })} />
                        </li>
                      ))}
                    </Stack>
                  )}
                </Section>
                <Section title="Recently resolved">
                  <Resolutions items={q.recent} />
                </Section>
              </Stack>
            )}
          </QueryView>
        </Stack>
      )}
      <ActionDialog
        target={target}
        onClose={() => setTarget(null)}
        onDone={(message) => {
          setTarget(null);
          setNotice(message);
          setRefreshKey((k) => k + 1);
        }}
      />
    </>
  );
}
