import WarningAmber from '@mui/icons-material/WarningAmber';
import { Alert, Box, Link, Stack, Typography } from '@mui/material';
import type { NegotiatedContract } from '../../api/types.js';
import { formatDeadline } from '../../format/time.js';
import { href } from '../../router.js';

/**
 * The contract versions negotiated for an installation, one line per edge (`input: person v1, current
 * v3`), with a warning when it rides on a deprecated version whose window is closing.
 */
export function NegotiatedContracts({
  pluginId,
  contracts,
}: {
  pluginId: string;
  contracts: readonly NegotiatedContract[];
}) {
  if (contracts.length === 0)
    return (
      <Typography variant="body2" color="text.secondary">
        none
      </Typography>
    );
  return (
    <Stack
      component="ul"
      spacing={0.75}
      aria-label={`Contracts of ${pluginId}`}
      sx={{ m: 0, p: 0, listStyle: 'none' }}
    >
      {contracts.map((c) => (
        <Box component="li" key={`${c.edge}:${c.subject}`}>
          <Typography variant="body2">
            {c.edge}:{' '}
            <Link href={href(['contracts', c.subject])} underline="always">
              {c.subject}
            </Link>{' '}
            v{c.version}
            {c.version !== c.currentVersion ? (
              <Typography component="span" variant="body2" color="text.secondary">
                {' '}
                (current v{c.currentVersion}, migrated)
              </Typography>
            ) : null}
          </Typography>
          {c.windowClosing ? (
            <Alert
              severity="warning"
              icon={<WarningAmber fontSize="small" />}
              aria-label={`Deprecated contract version: ${c.subject} v${c.version}`}
              sx={{ mt: 0.5, py: 0, px: 1 }}
            >
              v{c.version} is deprecated
              {c.deprecatedUntil ? ` until ${formatDeadline(c.deprecatedUntil)}` : ''} and its window is
              closing: update {pluginId} to a version that reads v{c.currentVersion}.
            </Alert>
          ) : c.deprecatedUntil ? (
            <Typography variant="caption" color="warning.main">
              v{c.version} is deprecated until {formatDeadline(c.deprecatedUntil)}.
            </Typography>
          ) : null}
        </Box>
      ))}
    </Stack>
  );
}
