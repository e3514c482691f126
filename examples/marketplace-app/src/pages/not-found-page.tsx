import { Button, Stack, Typography } from '@mui/material';
import { PageHeader } from '../components/page-header.js';
import { href } from '../router.js';

/** What an unknown address shows: where the user is, and the ways back. */
export function NotFoundPage({ path }: { path: string }) {
  return (
    <>
      <PageHeader title="Page not found" />
      <Typography sx={{ mb: 2 }}>
        There is no page at <code>{path}</code>. The link may be old or mistyped.
      </Typography>
      <Stack direction="row" spacing={1}>
        <Button variant="contained" href={href(['marketplace'])}>
          Go to the marketplace
        </Button>
        <Button href={href(['runner'])}>Open the runner</Button>
      </Stack>
    </>
  );
}
