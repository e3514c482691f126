import PowerSettingsNew from '@mui/icons-material/PowerSettingsNew';
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  Stack,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { useMutation } from '../../api/hooks.js';
import { KILL_SWITCH_SET } from '../../api/operations/finops.js';
import type { KillSwitch, KillSwitchScope } from '../../api/types.js';
import { useIdentity } from '../../auth/identity-context.js';
import { ErrorState } from '../../components/state-views.js';
import { formatTimestamp } from '../../format/time.js';

interface Target {
  scope: KillSwitchScope;
  target: string | null;
  label: string;
}

const key = (t: { scope: string; target: string | null }) => `${t.scope}:${t.target ?? ''}`;

/**
 * Why the acting user may not flip a switch, or null when they may (the host's rule: org admins switch
 * their org and its plugins; only platform admins switch everything).
 */
export function killSwitchBlock(roles: readonly string[], scope: KillSwitchScope): string | null {
  if (!roles.includes('admin'))
    return `Only an admin can switch plugins off or on; your roles are ${roles.join(', ')}.`;
  if (scope === 'global' && !roles.includes('platform-admin'))
    return 'Only a platform admin can switch every org off.';
  return null;
}

/** Every kill switch that applies to the org: everything, the org, and each plugin. */
export function KillSwitchPanel({
  switches,
  orgId,
  pluginIds,
  onChanged,
}: {
  switches: KillSwitch[];
  orgId: string;
  pluginIds: string[];
  onChanged: () => void;
}) {
  const { identity } = useIdentity();
  const [pending, setPending] = useState<(Target & { on: boolean }) | null>(null);
  const [reason, setReason] = useState('');
  const set = useMutation(KILL_SWITCH_SET);
  const state = new Map(switches.map((s) => [key(s), s]));
  const plugins = [
    ...new Set([...pluginIds, ...switches.filter((s) => s.scope === 'plugin').map((s) => s.target ?? '')]),
  ]
    .filter((p) => p !== '')
    .sort();
  const targets: Target[] = [
    { scope: 'global', target: null, label: 'Every plugin, every org' },
    { scope: 'org', target: orgId, label: `Org ${orgId}` },
    ...plugins.map((p) => ({ scope: 'plugin' as const, target: p, label: `Plugin ${p}` })),
  ];

  return (
    <>
      <List aria-label="Kill switches" disablePadding>
        {targets.map((t) => {
          const s = state.get(key(t));
          const on = s?.on === true;
          const blocked = killSwitchBlock(identity.roles, t.scope);
          const reasonId = `ks-why-${key(t).replace(/[^a-z0-9]/gi, '-')}`;
          return (
            <ListItem
              key={key(t)}
              divider
              secondaryAction={
                <Switch
                  edge="end"
                  color="error"
                  checked={on}
                  disabled={blocked !== null}
                  onChange={(e) => {
                    set.reset();
                    setReason('');
                    setPending({ ...t, on: e.target.checked });
                  }}
                  slotProps={{
                    input: {
                      'aria-label': `Kill switch: ${t.label}`,
                      ...(blocked ? { 'aria-describedby': reasonId } : {}),
                    },
                  }}
                />
              }
            >
              <ListItemText
                primary={
                  <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                    <PowerSettingsNew fontSize="small" color={on ? 'error' : 'disabled'} aria-hidden />
                    <span>{t.label}</span>
                  </Stack>
                }
                secondary={
                  <>
                    {on
                      ? `Off since ${s?.at ? formatTimestamp(s.at) : '—'} by ${s?.actor ?? '—'}: ${s?.reason ?? ''}`
                      : 'Running normally'}
                    {blocked ? (
                      <Typography component="span" variant="caption" id={reasonId} sx={{ display: 'block' }}>
                        {blocked}
                      </Typography>
                    ) : null}
                  </>
                }
              />
            </ListItem>
          );
        })}
      </List>
      {switches.some((s) => s.on) ? (
        <Alert severity="warning" sx={{ mt: 2 }}>
          Runs refused by a kill switch are answered with the code <code>KILL_SWITCH</code> and its reason.
        </Alert>
      ) : (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          All switches are off: plugins run within their budgets and quotas.
        </Typography>
      )}
      <Dialog
        open={pending !== null}
        onClose={() => setPending(null)}
        fullWidth
        maxWidth="xs"
        aria-labelledby="ks-title"
      >
        <DialogTitle id="ks-title">
          {pending?.on ? 'Stop' : 'Resume'} {pending?.label}
        </DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <DialogContentText>
              {pending?.on
                ? 'Runs are refused at once, before any quota is reserved. The change is audited.'
                : 'Runs are allowed again. The change is audited.'}
            </DialogContentText>
            <TextField
              label="Reason"
              required
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              autoFocus
            />
            {set.error ? <ErrorState error={set.error} title="The switch did not change" /> : null}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setPending(null)}>Cancel</Button>
          <Button
            variant="contained"
            color={pending?.on ? 'error' : 'primary'}
            disabled={reason.trim() === '' || set.loading}
            onClick={async () => {
              if (!pending) return;
              const ok = await set.run({
                scope: pending.scope,
                target: pending.target,
                on: pending.on,
                reason: reason.trim(),
              });
              if (ok) {
                setPending(null);
                onChanged();
              }
            }}
          >
            {pending?.on ? 'Switch off' : 'Switch back on'}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
