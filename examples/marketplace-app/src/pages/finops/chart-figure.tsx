import { Box, Paper, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { EmptyState } from '../../components/state-views.js';

/** A titled chart panel: a `figure` named for assistive technology, with a text summary. */
export function ChartFigure({
  title,
  summary,
  empty,
  emptyText,
  height = 260,
  children,
}: {
  title: string;
  summary: string;
  empty: boolean;
  emptyText: string;
  height?: number;
  children: ReactNode;
}) {
  return (
    <Paper
      component="figure"
      variant="outlined"
      aria-label={title}
      data-empty={empty ? 'true' : 'false'}
      sx={{ m: 0, p: 2, borderRadius: 2, height: '100%', display: 'flex', flexDirection: 'column' }}
    >
      <Typography component="figcaption" variant="subtitle1" sx={{ fontWeight: 600 }}>
        {title}
      </Typography>
      <Typography variant="caption" color="text.secondary" sx={{ mb: 1 }}>
        {summary}
      </Typography>
      {empty ? (
        <EmptyState title={emptyText} />
      ) : (
        <Box sx={{ width: '100%', height, flexGrow: 1 }}>{children}</Box>
      )}
    </Paper>
  );
}
