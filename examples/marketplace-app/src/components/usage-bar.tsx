import { Box, LinearProgress, Stack, Typography } from '@mui/material';
import { formatNumber } from '../format/money.js';

/** `used` against `limit` as a labelled bar: green, amber past 75 %, red past 100 %. */
export function UsageBar({
  label,
  used,
  limit,
  unit,
}: {
  label: string;
  used: number;
  limit: number | null;
  unit?: string;
}) {
  const ratio = limit && limit > 0 ? used / limit : 0;
  const pct = Math.min(100, Math.round(ratio * 100));
  const color = ratio > 1 ? 'error' : ratio > 0.75 ? 'warning' : 'primary';
  const text = limit
    ? `${formatNumber(used)} of ${formatNumber(limit)}${unit ? ` ${unit}` : ''} (${Math.round(ratio * 100)}%)`
    : `${formatNumber(used)}${unit ? ` ${unit}` : ''} (no limit)`;
  return (
    <Box sx={{ mb: 1.5 }}>
      <Stack direction="row" sx={{ justifyContent: 'space-between', mb: 0.5 }}>
        <Typography variant="body2">{label}</Typography>
        <Typography variant="body2" color="text.secondary">
          {text}
        </Typography>
      </Stack>
      <LinearProgress
        variant="determinate"
        value={limit ? pct : 0}
        color={color}
        aria-label={`${label} usage`}
        aria-valuetext={text}
        sx={{ height: 8, borderRadius: 4 }}
      />
    </Box>
  );
}
