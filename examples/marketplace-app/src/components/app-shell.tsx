import Hub from '@mui/icons-material/Hub';
import { AppBar, Box, Button, Container, Stack, TextField, Toolbar, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { useIdentity } from '../auth/identity-context.js';
import { DEMO_USERS } from '../auth/users.js';
import { href } from '../router.js';

/** The areas of the app, in navigation order; some are offered only to the roles that use them. */
export const AREAS: readonly { key: string; label: string; roles?: readonly string[] }[] = [
  { key: 'marketplace', label: 'Marketplace' },
  { key: 'runner', label: 'Runner' },
  { key: 'contracts', label: 'Contracts' },
  { key: 'governance', label: 'Governance' },
  { key: 'finops', label: 'FinOps' },
  { key: 'moderation', label: 'Moderation', roles: ['moderator'] },
];

export type AreaKey = 'marketplace' | 'runner' | 'contracts' | 'governance' | 'finops' | 'moderation';

function UserSwitcher() {
  const { identity, switchUser } = useIdentity();
  return (
    <TextField
      select
      size="small"
      label="Acting user"
      value={identity.userId}
      onChange={(e) => switchUser(e.target.value)}
      slotProps={{
        select: { native: true },
        inputLabel: {
          shrink: true,
          sx: { color: 'rgba(255,255,255,0.8)', '&.Mui-focused': { color: '#fff' } },
        },
      }}
      sx={{
        minWidth: 220,
        '& .MuiOutlinedInput-root': {
          color: '#fff',
          '& fieldset': { borderColor: 'rgba(255,255,255,0.5)' },
          '&:hover fieldset': { borderColor: '#fff' },
        },
        '& .MuiNativeSelect-icon': { color: '#fff' },
        '& option': { color: 'text.primary' },
      }}
    >
      {DEMO_USERS.map((u) => (
        <option key={u.userId} value={u.userId}>
          {u.userId} · {u.roles.join(', ')}
        </option>
      ))}
    </TextField>
  );
}

/** App bar with the main navigation and the user switcher, then the page. */
export function AppShell({ area, children }: { area: AreaKey | null; children: ReactNode }) {
  const { identity } = useIdentity();
  const areas = AREAS.filter((a) => !a.roles || a.roles.some((r) => identity.roles.includes(r)));
  return (
    <Box sx={{ minHeight: '100vh', bgcolor: 'background.default' }}>
      <AppBar position="sticky" elevation={0}>
        <Toolbar sx={{ gap: 3, flexWrap: 'wrap', py: { xs: 1, md: 0 } }}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Hub aria-hidden />
            <Typography variant="h6" component="p" sx={{ fontWeight: 700, whiteSpace: 'nowrap' }}>
              IntelGraph Extensions
            </Typography>
          </Stack>
          <Box component="nav" aria-label="Main" sx={{ flexGrow: 1 }}>
            <Stack
              component="ul"
              direction="row"
              spacing={0.5}
              sx={{ listStyle: 'none', m: 0, p: 0, flexWrap: 'wrap' }}
            >
              {areas.map((a) => (
                <li key={a.key}>
                  <Button
                    href={href([a.key])}
                    color="inherit"
                    aria-current={a.key === area ? 'page' : undefined}
                    sx={{
                      px: 1.5,
                      opacity: a.key === area ? 1 : 0.8,
                      borderBottom: 2,
                      borderColor: a.key === area ? '#fff' : 'transparent',
                      borderRadius: 0,
                    }}
                  >
                    {a.label}
                  </Button>
                </li>
              ))}
            </Stack>
          </Box>
          <UserSwitcher />
        </Toolbar>
      </AppBar>
      <Container component="main" maxWidth="xl" sx={{ py: 4 }}>
        {children}
      </Container>
    </Box>
  );
}
