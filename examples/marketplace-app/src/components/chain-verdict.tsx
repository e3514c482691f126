import GppBad from '@mui/icons-material/GppBad';
import VerifiedUser from '@mui/icons-material/VerifiedUser';
import { Chip, Stack, Typography } from '@mui/material';

/** Whether an audit hash chain verifies: a badge and the sentence that says what it means. */
export function ChainVerdict({ verified }: { verified: boolean }) {
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      {verified ? (
        <Chip icon={<VerifiedUser />} color="success" label="Verified" aria-label="Chain verified" />
      ) : (
        <Chip icon={<GppBad />} color="error" label="Not verified" aria-label="Chain not verified" />
      )}
      <Typography variant="body2" color="text.secondary">
        {verified
          ? 'Every event links to the one before it by SHA-256; nothing was altered.'
          : 'The hash chain does not verify: an event was altered or removed.'}
      </Typography>
    </Stack>
  );
}
