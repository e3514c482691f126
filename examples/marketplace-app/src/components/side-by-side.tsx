import { Box, Grid, Typography } from '@mui/material';
import { useMemo } from 'react';
import type { JsonValue } from '../api/types.js';
import { isUnder, jsonLines } from '../format/json-lines.js';

export type Highlight = 'breaking' | 'change' | 'added' | 'removed';

const COLORS: Record<Highlight, string> = {
  breaking: 'rgba(211, 47, 47, 0.16)',
  removed: 'rgba(211, 47, 47, 0.12)',
  change: 'rgba(237, 108, 2, 0.16)',
  added: 'rgba(46, 125, 50, 0.14)',
};

/** A JSON document with the lines under the given paths highlighted. */
function JsonPane({
  title,
  value,
  marks,
}: {
  title: string;
  value: JsonValue;
  marks: { path: string; kind: Highlight }[];
}) {
  const lines = useMemo(() => jsonLines(value), [value]);
  return (
    <Box component="figure" sx={{ m: 0 }} aria-label={title}>
      <Typography component="figcaption" variant="subtitle2" sx={{ mb: 0.5 }}>
        {title}
      </Typography>
      <Box
        component="pre"
        // Scrollable, so it must be reachable (and scrollable) by keyboard.
        tabIndex={0}
        aria-label={`${title} (JSON)`}
        sx={{
          m: 0,
          py: 1,
          bgcolor: 'grey.50',
          border: 1,
          borderColor: 'divider',
          borderRadius: 1,
          overflow: 'auto',
          maxHeight: 420,
          fontSize: 12.5,
          lineHeight: 1.55,
        }}
      >
        {lines.map((l, i) => {
          // The most specific mark wins (a breaking change inside a changed object stays red).
          const mark = marks
            .filter((m) => isUnder(l.pointer, m.path))
            .sort((a, b) => b.path.length - a.path.length)[0];
          return (
            <Box
              // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
              key={i}
              component="span"
              data-highlight={mark?.kind}
              sx={{ display: 'block', px: 1.5, bgcolor: mark ? COLORS[mark.kind] : undefined }}
            >
              {l.text}
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}

/** Two JSON documents side by side, each with its own highlighted paths. */
export function SideBySide({
  left,
  right,
}: {
  left: { title: string; value: JsonValue; marks: { path: string; kind: Highlight }[] };
  right: { title: string; value: JsonValue; marks: { path: string; kind: Highlight }[] };
}) {
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, md: 6 }}>
        <JsonPane {...left} />
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <JsonPane {...right} />
      </Grid>
    </Grid>
  );
}
