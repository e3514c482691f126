import CheckCircle from '@mui/icons-material/CheckCircle';
import Download from '@mui/icons-material/Download';
import {
  Box,
  Button,
  Card,
  CardActions,
  CardContent,
  Chip,
  Link,
  Rating,
  Stack,
  Tooltip,
  Typography,
} from '@mui/material';
import type { PluginSummary } from '../../api/types.js';
import { RiskBadge } from '../../components/risk-badge.js';
import { formatNumber } from '../../format/money.js';
import { href } from '../../router.js';

/** One catalog entry: name, publisher, risk, weighted rating, install count, and the main actions. */
export function PluginCard({
  plugin,
  installed,
  onInstall,
}: {
  plugin: PluginSummary;
  installed: boolean;
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
          <Tooltip
            title={`Weighted rating ${plugin.weightedRating.toFixed(2)} from ${plugin.ratingCount} rating(s)`}
          >
            <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
              <Rating value={plugin.weightedRating} precision={0.1} readOnly size="small" aria-hidden />
              <Typography
                variant="body2"
                aria-label={`Weighted rating ${plugin.weightedRating.toFixed(1)} of 5`}
              >
                {plugin.weightedRating.toFixed(1)}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                ({plugin.ratingCount})
              </Typography>
            </Stack>
          </Tooltip>
          <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', color: 'text.secondary' }}>
            <Download fontSize="small" aria-hidden />
            <Typography variant="body2" aria-label={`${plugin.installCount} installs`}>
              {formatNumber(plugin.installCount, 0)}
            </Typography>
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
            aria-label={`Run ${plugin.name}`}
          >
            Installed · Run
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
