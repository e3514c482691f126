import { Box, LinearProgress, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { formatNumber } from '../../format/money.js';

/**
 * Progress of a run in flight: elapsed time, and against the p95 of past runs when there is one
 * (indeterminate otherwise, or once the run outlasts the estimate).
 */
export function RunProgress({ startedAt, expectedMs }: { startedAt: number; expectedMs: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, []);
  const elapsed = Math.max(0, now - startedAt);
  const pct = expectedMs && expectedMs > 0 ? Math.min(99, (elapsed / expectedMs) * 100) : null;
  const overdue = pct !== null && elapsed > expectedMs!;
  return (
    <Box role="status" aria-live="polite" aria-label="Run in progress" sx={{ my: 2 }}>
      <Typography variant="body2" sx={{ mb: 1 }}>
        Running… {formatNumber(elapsed / 1000, 1)} s elapsed
        {expectedMs ? ` · usually about ${formatNumber(expectedMs / 1000, 1)} s` : ''}
      </Typography>
      <LinearProgress
        variant={pct === null || overdue ? 'indeterminate' : 'determinate'}
        value={pct ?? 0}
        aria-label="Run progress"
        sx={{ height: 8, borderRadius: 4 }}
      />
    </Box>
  );
}
