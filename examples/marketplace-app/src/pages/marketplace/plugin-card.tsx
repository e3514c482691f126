import CheckCircle from '@mui/icons-material/CheckCircle';
import Download from '@mui/icons-material/Download';
import HourglassTop from '@mui/icons-material/HourglassTop';
import { Box, Button, Card, CardActions, CardContent, Chip, Link, Stack, Typography } from '@mui/material';
import type { PluginSummary, ReviewTask } from '../../api/types.js';
import { RatingSummary } from '../../components/rating-summary.js';
import { RiskBadge } from '../../components/risk-badge.js';
import { plural } from '../../format/plural.js';
import { href } from '../../router.js';

/** One catalog entry: name, publisher, risk, weighted rating, install count, and the main actions. */
export function PluginCard({
  plugin,
  installed,
  pendingReview,
  onInstall,
}: {
  plugin: PluginSummary;
  installed: boolean;
  /** The org's open review of a high-risk install of this plugin, if any. */
  pendingReview?: ReviewTask | undefined;
  onInstall: () => void;
}) {
  const titleId = `plugin-${plugin.id}`;
  return (
    <Card
      component="article"
      aria-labelledby={titleId}
      sx={{ height: '100%', display: 'flex', flexDirection: 'column' }}
    >
      <CardContent sx={{ flexGrow: 1 }}>
        <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'flex-start', gap: 1 }}>
          <Box>
            <Typography id={titleId} variant="h6" component="h3" sx={{ lineHeight: 1.2 }}>
              <Link href={href(['plugins', plugin.id])} underline="hover" color="inherit">
                {plugin.name}
              </Link>
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {plugin.publisher} · v{plugin.latestVersion}
            </Typography>
          </Box>
          <RiskBadge risk={plugin.risk} />
        </Stack>
        <Typography variant="body2" sx={{ mt: 1.5, minHeight: 40 }}>
          {plugin.description ?? 'No description.'}
        </Typography>
        <Stack direction="row" spacing={1} sx={{ mt: 1.5, alignItems: 'center' }}>
          <RatingSummary weighted={plugin.weightedRating} count={plugin.ratingCount} />
          <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', color: 'text.secondary' }}>
            <Download fontSize="small" aria-hidden />
            <Typography variant="body2">{plural(plugin.installCount, 'install')}</Typography>
          </Stack>
        </Stack>
        <Stack direction="row" sx={{ mt: 1.5, flexWrap: 'wrap', gap: 0.5 }}>
          {plugin.tags.map((t) => (
            <Chip key={t} label={t} size="small" variant="outlined" />
          ))}
        </Stack>
      </CardContent>
      <CardActions sx={{ px: 2, pb: 2 }}>
        <Button href={href(['plugins', plugin.id])} aria-label={`Details of ${plugin.name}`}>
          Details
        </Button>
        {installed ? (
          <Button
            href={href(['runner', plugin.id])}
            startIcon={<CheckCircle />}
            color="success"
            aria-label={`Installed · Run ${plugin.name}`}
          >
            Installed · Run
          </Button>
        ) : pendingReview ? (
          <Button
            href={href(['governance', 'requests'], { task: pendingReview.id })}
            startIcon={<HourglassTop />}
            aria-label={`Pending review ${plugin.name}: request ${pendingReview.id}`}
          >
            Pending review
          </Button>
        ) : (
          <Button variant="contained" onClick={onInstall} aria-label={`Install ${plugin.name}`}>
            Install
          </Button>
        )}
      </CardActions>
    </Card>
  );
}
