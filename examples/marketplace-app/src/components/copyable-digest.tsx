import ContentCopy from '@mui/icons-material/ContentCopy';
import { IconButton, Stack, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';

/**
 * A long digest shown short (`sha256:1a2b3c4d5e6f…`) with a button that copies the full value; the full
 * digest is the element's title and travels in the button's accessible description.
 */
export function CopyableDigest({ label, digest }: { label: string; digest: string }) {
  const full = digest.startsWith('sha256:') ? digest : `sha256:${digest}`;
  const short = `${full.slice(0, 'sha256:'.length + 12)}…`;
  const [copied, setCopied] = useState(false);
  return (
    <Stack
      component="span"
      direction="row"
      spacing={0.5}
      sx={{ alignItems: 'center', display: 'inline-flex' }}
    >
      <Typography component="code" variant="body2" title={full} sx={{ fontFamily: 'monospace' }}>
        {short}
      </Typography>
      <Tooltip title={copied ? 'Copied' : 'Copy the full digest'}>
        <IconButton
          size="small"
          aria-label={`Copy ${label}`}
          data-digest={full}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(full);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          <ContentCopy fontSize="inherit" aria-hidden />
        </IconButton>
      </Tooltip>
    </Stack>
  );
}
