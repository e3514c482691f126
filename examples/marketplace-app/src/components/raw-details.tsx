import { Box, type SxProps, Typography } from '@mui/material';
import type { JsonValue } from '../api/types.js';

/**
 * A scrollable block of preformatted text that keyboard users can reach and scroll: it is focusable
 * and named, as a region.
 */
export function ScrollablePre({ label, text, sx }: { label: string; text: string; sx?: SxProps }) {
  return (
    <Box
      component="pre"
      role="region"
      aria-label={label}
      // A scrollable region must be reachable by keyboard.
      tabIndex={0}
      sx={{
        m: 0,
        p: 2,
        bgcolor: 'grey.100',
        borderRadius: 1,
        overflow: 'auto',
        maxHeight: 360,
        fontSize: 13,
        ...sx,
      }}
    >
      {text}
    </Box>
  );
}

/** The raw JSON behind a human summary, one click away (a native disclosure). */
export function RawDetails({ label, value }: { label: string; value: JsonValue | undefined }) {
  if (value === undefined) return null;
  return (
    <Box component="details" sx={{ mt: 1 }}>
      <Typography component="summary" variant="body2" sx={{ cursor: 'pointer', fontWeight: 600 }}>
        {label}
      </Typography>
      <ScrollablePre label={label} text={JSON.stringify(value, null, 2)} sx={{ mt: 1, maxHeight: 240 }} />
    </Box>
  );
}
