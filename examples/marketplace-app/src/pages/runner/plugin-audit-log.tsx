import { Box, Chip, Paper, Stack, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useQuery } from '../../api/hooks.js';
import { AUDIT_PAGE, AUDIT_TRAIL } from '../../api/operations/runner.js';
import type { AuditEventEntry } from '../../api/types.js';
import { ChainVerdict } from '../../components/chain-verdict.js';
import { CopyableDigest } from '../../components/copyable-digest.js';
import { RawDetails } from '../../components/raw-details.js';
import { Section } from '../../components/section.js';
import { EmptyState, QueryView } from '../../components/state-views.js';
import { formatNumber } from '../../format/money.js';
import { plural } from '../../format/plural.js';
import { formatTimestamp } from '../../format/time.js';
import { describePluginEvent, type PluginEventKind, pluginEventKind, replayableRun } from './audit-events.js';
import { ReplayAction } from './replay-action.js';

type Filter = 'all' | PluginEventKind;

const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'run', label: 'Runs' },
  { value: 'replay', label: 'Replays' },
  { value: 'lifecycle', label: 'Install and updates' },
];

function AuditEventItem({
  event,
  highlighted,
  onReplayed,
}: {
  event: AuditEventEntry;
  highlighted: boolean;
  onReplayed: () => void;
}) {
  const titleId = useId();
  const ref = useRef<HTMLLIElement>(null);
  const run = replayableRun(event);
  // The run a link pointed at (`?run=`) is brought into view and focused once, for keyboard users too.
  useEffect(() => {
    if (!highlighted || !ref.current) return;
    ref.current.scrollIntoView({ block: 'center' });
    ref.current.focus({ preventScroll: true });
  }, [highlighted]);
  return (
    <Paper
      ref={ref}
      component="li"
      variant="outlined"
      aria-labelledby={titleId}
      aria-current={highlighted ? 'true' : undefined}
      tabIndex={highlighted ? -1 : undefined}
      sx={{
        p: 2,
        borderRadius: 2,
        ...(highlighted ? { borderColor: 'primary.main', borderWidth: 2 } : {}),
      }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', flexWrap: 'wrap' }} useFlexGap>
        <Chip size="small" label={`#${event.seq}`} />
        <Typography id={titleId} component="h3" variant="body1" sx={{ fontWeight: 600 }}>
          {describePluginEvent(event.type, event.actor?.id ?? null, event.data)}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {formatTimestamp(event.at)}
        </Typography>
      </Stack>
      <Stack direction="row" spacing={1} sx={{ mt: 0.5, alignItems: 'center' }}>
        <Typography variant="caption" color="text.secondary">
          {event.type} · hash
        </Typography>
        <CopyableDigest label={`hash of event ${event.seq}`} digest={event.hash} />
      </Stack>
      {event.data !== null ? (
        <RawDetails label={`Event ${event.seq} data (JSON)`} value={event.data} />
      ) : null}
      {run ? (
        <Box sx={{ mt: 1.5 }}>
          {run.replayable ? (
            <ReplayAction runId={run.runId} label={`Replay run ${run.runId}`} onReplayed={onReplayed} />
          ) : (
            <Typography variant="body2" color="text.secondary">
              {run.why}
            </Typography>
          )}
        </Box>
      ) : null}
    </Paper>
  );
}

/**
 * A plugin's audit log in the acting user's org, newest first: runs, refusals, replays and its install
 * history, whether the hash chain verifies, and Replay on each recorded run.
 */
export function PluginAuditLog({ pluginId, focusRun }: { pluginId: string; focusRun: string | null }) {
  const subject = `plugin:${pluginId}`;
  const trail = useQuery(AUDIT_TRAIL, { subject, first: AUDIT_PAGE });
  const [filter, setFilter] = useState<Filter>('all');
  const events = trail.data?.auditTrail.events;
  const shown = useMemo(
    () => [...(events ?? [])].reverse().filter((e) => filter === 'all' || pluginEventKind(e.type) === filter),
    [events, filter],
  );
  return (
    <Section
      title={`Audit log of ${pluginId}`}
      actions={
        <ToggleButtonGroup
          size="small"
          exclusive
          value={filter}
          onChange={(_, v: Filter | null) => v && setFilter(v)}
          aria-label="Show events"
        >
          {FILTERS.map((f) => (
            <ToggleButton key={f.value} value={f.value}>
              {f.label}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      }
    >
      <QueryView
        state={trail}
        loadingLabel="Loading the audit log"
        isEmpty={(d) => d.auditTrail.events.length === 0}
        empty={
          <EmptyState title={`No audit event about ${pluginId} in your org yet`}>
            Install and run it: every run, refusal and replay is recorded here.
          </EmptyState>
        }
      >
        {({ auditTrail: t }) => (
          <Stack spacing={2}>
            <ChainVerdict verified={t.verified} />
            <Typography variant="body2" color="text.secondary" aria-live="polite">
              {plural(shown.length, 'event')} shown, newest first, of {plural(t.events.length, 'event')}{' '}
              recorded under <code>{t.subject}</code>
              {t.events.length >= AUDIT_PAGE ? ` (the oldest ${formatNumber(AUDIT_PAGE)} only)` : ''}.
            </Typography>
            {shown.length === 0 ? (
              <EmptyState title="No event of this kind" />
            ) : (
              <Stack
                component="ol"
                spacing={1.5}
                aria-label="Audit events"
                sx={{ listStyle: 'none', p: 0, m: 0 }}
              >
                {shown.map((e) => (
                  <AuditEventItem
                    key={e.seq}
                    event={e}
                    highlighted={focusRun !== null && replayableRun(e)?.runId === focusRun}
                    onReplayed={trail.refetch}
                  />
                ))}
              </Stack>
            )}
          </Stack>
        )}
      </QueryView>
    </Section>
  );
}
