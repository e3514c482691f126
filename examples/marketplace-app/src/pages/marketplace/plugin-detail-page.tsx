import ArrowBack from '@mui/icons-material/ArrowBack';
import Flag from '@mui/icons-material/Flag';
import HourglassTop from '@mui/icons-material/HourglassTop';
import PlayArrow from '@mui/icons-material/PlayArrow';
import {
  Alert,
  Box,
  Button,
  Chip,
  Divider,
  Grid,
  List,
  ListItem,
  ListItemText,
  Rating,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks.js';
import { INSTALLATIONS, PLUGIN, PLUGIN_RATE } from '../../api/operations/marketplace.js';
import { usePendingInstalls } from '../../api/pending-installs.js';
import type { Capability, PluginDetail, ReviewTask } from '../../api/types.js';
import { useIdentity } from '../../auth/identity-context.js';
import { CopyableDigest } from '../../components/copyable-digest.js';
import { PageHeader } from '../../components/page-header.js';
import { RatingSummary } from '../../components/rating-summary.js';
import { RiskBadge } from '../../components/risk-badge.js';
import { Section } from '../../components/section.js';
import { EmptyState, ErrorState, QueryView } from '../../components/state-views.js';
import { plural } from '../../format/plural.js';
import { formatTimestamp } from '../../format/time.js';
import { href } from '../../router.js';
import { ConsentDialog } from './consent-dialog.js';
import { ReportAbuseDialog } from './report-abuse-dialog.js';

function CapabilityList({ title, items }: { title: string; items: Capability[] }) {
  return (
    <Box>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
        {title} ({items.length})
      </Typography>
      {items.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          None.
        </Typography>
      ) : (
        <List dense aria-label={title}>
          {items.map((c) => (
            <ListItem key={c.scope} disableGutters secondaryAction={<RiskBadge risk={c.risk} />}>
              <ListItemText
                primary={<code>{c.scope}</code>}
                secondary={c.reason ?? 'No reason given.'}
                sx={{ pr: 12 }}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Box>
  );
}

function RateForm({
  plugin,
  installed,
  onRated,
}: {
  plugin: PluginDetail;
  installed: boolean;
  onRated: () => void;
}) {
  const { identity } = useIdentity();
  const [stars, setStars] = useState<number | null>(null);
  const [review, setReview] = useState('');
  const rate = useMutation(PLUGIN_RATE);
  // The marketplace takes ratings only from orgs that have the plugin installed.
  const reason = installed
    ? null
    : `Only orgs that have ${plugin.name} installed can rate it; ${identity.orgId} has not installed it.`;
  return (
    <Box
      component="form"
      aria-label="Rate this plugin"
      aria-describedby={reason ? 'rate-disabled-reason' : undefined}
      onSubmit={(e) => e.preventDefault()}
      sx={{ mt: 2 }}
    >
      <Typography variant="subtitle2" component="h3">
        Your rating
      </Typography>
      {reason ? (
        <Typography id="rate-disabled-reason" variant="body2" color="text.secondary" sx={{ my: 1 }}>
          {reason}
        </Typography>
      ) : null}
      <Rating name="stars" value={stars} onChange={(_, v) => setStars(v)} disabled={!installed} />
      <TextField
        label="Review (optional)"
        fullWidth
        multiline
        minRows={2}
        value={review}
        disabled={!installed}
        onChange={(e) => setReview(e.target.value)}
        sx={{ mt: 1 }}
      />
      {rate.error ? <ErrorState error={rate.error} title="Rating not saved" /> : null}
      {rate.data ? (
        <Alert severity="success" sx={{ mt: 1 }}>
          Thanks, your rating is saved.
        </Alert>
      ) : null}
      <Button
        type="submit"
        variant="outlined"
        sx={{ mt: 1 }}
        disabled={!installed || !stars || rate.loading}
        onClick={async () => {
          if (!stars) return;
          const ok = await rate.run({ id: plugin.id, stars, review: review.trim() || null });
          if (ok) onRated();
        }}
      >
        Submit rating
      </Button>
    </Box>
  );
}

function Detail({
  plugin,
  installed,
  pendingReview,
  refetch,
}: {
  plugin: PluginDetail;
  installed: boolean;
  pendingReview: ReviewTask | undefined;
  refetch: () => void;
}) {
  const [installing, setInstalling] = useState(false);
  const [reporting, setReporting] = useState(false);
  const required = plugin.capabilities.filter((c) => c.kind === 'required');
  const optional = plugin.capabilities.filter((c) => c.kind !== 'required');
  return (
    <>
      <PageHeader
        title={plugin.name}
        subtitle={
          <Stack
            component="span"
            direction="row"
            spacing={1.5}
            sx={{ alignItems: 'center', flexWrap: 'wrap' }}
          >
            <span>
              by <strong>{plugin.publisher}</strong> · v{plugin.latestVersion}
            </span>
            <RiskBadge risk={plugin.risk} />
            <RatingSummary weighted={plugin.weightedRating} count={plugin.ratingCount} />
            <span>{plural(plugin.installCount, 'install')}</span>
          </Stack>
        }
        actions={
          <>
            <Button startIcon={<Flag />} color="error" onClick={() => setReporting(true)}>
              Report abuse
            </Button>
            {installed ? (
              <Button variant="contained" startIcon={<PlayArrow />} href={href(['runner', plugin.id])}>
                Open in runner
              </Button>
            ) : pendingReview ? (
              <Button
                variant="outlined"
                startIcon={<HourglassTop />}
                href={href(['governance', 'requests'], { task: pendingReview.id })}
              >
                Pending review
              </Button>
            ) : (
              <Button variant="contained" onClick={() => setInstalling(true)}>
                Install
              </Button>
            )}
          </>
        }
      />
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 7 }}>
          <Stack spacing={3}>
            <Section title="About">
              <Typography>{plugin.description ?? 'No description.'}</Typography>
              <Stack direction="row" sx={{ mt: 2, gap: 0.5, flexWrap: 'wrap' }}>
                {plugin.tags.map((t) => (
                  <Chip key={t} size="small" label={t} variant="outlined" />
                ))}
              </Stack>
            </Section>
            <Section title="Capabilities">
              <Grid container spacing={2}>
                <Grid size={{ xs: 12, sm: 6 }}>
                  <CapabilityList title="Required" items={required} />
                </Grid>
                <Grid size={{ xs: 12, sm: 6 }}>
                  <CapabilityList title="Optional" items={optional} />
                </Grid>
              </Grid>
            </Section>
            <Section title="Versions">
              <Table size="small" aria-label="Versions">
                <TableHead>
                  <TableRow>
                    <TableCell>Version</TableCell>
                    <TableCell>Published</TableCell>
                    <TableCell>Risk</TableCell>
                    <TableCell>Code digest</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {plugin.versions.map((v) => (
                    <TableRow key={v.version}>
                      <TableCell component="th" scope="row">
                        {v.version} {v.yanked ? <Chip size="small" color="warning" label="yanked" /> : null}
                      </TableCell>
                      <TableCell>{formatTimestamp(v.publishedAt)}</TableCell>
                      <TableCell>
                        <RiskBadge risk={v.risk} />
                      </TableCell>
                      <TableCell>
                        <CopyableDigest label={`Code digest of ${v.version}`} digest={v.codeSha256} />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Section>
          </Stack>
        </Grid>
        <Grid size={{ xs: 12, md: 5 }}>
          <Section title="Ratings and reviews">
            {plugin.ratingCount > 0 ? (
              <Box sx={{ mb: 2 }}>
                <RatingSummary weighted={plugin.weightedRating} count={plugin.ratingCount} explain />
              </Box>
            ) : null}
            {plugin.reviews.length === 0 ? (
              <EmptyState title="No reviews yet">
                {installed
                  ? `Be the first to rate ${plugin.name}.`
                  : `Orgs that install ${plugin.name} can rate it.`}
              </EmptyState>
            ) : (
              <List aria-label="Reviews">
                {plugin.reviews.map((r) => (
                  <ListItem key={r.userId} disableGutters divider sx={{ display: 'block' }}>
                    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                      <Rating value={r.stars} readOnly size="small" aria-label={`${r.stars} stars`} />
                      <Typography variant="body2" sx={{ fontWeight: 600 }}>
                        {r.userId}
                      </Typography>
                      <Typography variant="caption" color="text.secondary">
                        {formatTimestamp(r.updatedAt)}
                      </Typography>
                    </Stack>
                    {r.review ? <Typography variant="body2">{r.review}</Typography> : null}
                  </ListItem>
                ))}
              </List>
            )}
            <Divider sx={{ my: 2 }} />
            <RateForm plugin={plugin} installed={installed} onRated={refetch} />
          </Section>
        </Grid>
      </Grid>
      <ConsentDialog
        plugin={plugin}
        versions={plugin.versions}
        pendingReview={pendingReview}
        open={installing}
        onClose={() => {
          setInstalling(false);
          refetch();
        }}
        onInstalled={refetch}
      />
      <ReportAbuseDialog plugin={plugin} open={reporting} onClose={() => setReporting(false)} />
    </>
  );
}

/** A plugin's page: versions, capabilities, ratings and reviews, install and report. */
export function PluginDetailPage({ pluginId }: { pluginId: string }) {
  const plugin = useQuery(PLUGIN, { id: pluginId });
  const installs = useQuery(INSTALLATIONS, {});
  const installed = (installs.data?.installations ?? []).some((i) => i.pluginId === pluginId);
  const reviews = usePendingInstalls();
  return (
    <>
      <Button startIcon={<ArrowBack />} href={href(['marketplace'])} sx={{ mb: 2 }}>
        Back to the catalog
      </Button>
      <QueryView
        state={plugin}
        loadingLabel="Loading the plugin"
        isEmpty={(d) => d.plugin === null}
        empty={<EmptyState title={`No plugin “${pluginId}” in the catalog`} />}
      >
        {(d) =>
          d.plugin ? (
            <Detail
              plugin={d.plugin}
              installed={installed}
              pendingReview={reviews.pending.get(pluginId)}
              refetch={() => {
                plugin.refetch();
                installs.refetch();
                reviews.refetch();
              }}
            />
          ) : null
        }
      </QueryView>
    </>
  );
}
