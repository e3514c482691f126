import Lock from '@mui/icons-material/Lock';
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  LinearProgress,
  List,
  ListItem,
  Stack,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { useMutation } from '../../api/hooks.js';
import { PLUGIN_INSTALL } from '../../api/operations/marketplace.js';
import type { Capability, InstallResult, PluginSummary, PluginVersion } from '../../api/types.js';
import { RiskBadge } from '../../components/risk-badge.js';
import { ErrorState } from '../../components/state-views.js';
import { href } from '../../router.js';

function ScopeRow({
  capability,
  checked,
  locked,
  onToggle,
}: {
  capability: Capability;
  checked: boolean;
  locked: boolean;
  onToggle?: (on: boolean) => void;
}) {
  const reasonId = `reason-${capability.scope.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <ListItem divider sx={{ alignItems: 'flex-start', px: 0, gap: 2 }}>
      <Box sx={{ flexGrow: 1 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
          <Typography component="code" sx={{ fontFamily: 'monospace', fontWeight: 600 }}>
            {capability.scope}
          </Typography>
          <RiskBadge risk={capability.risk} />
        </Stack>
        <Typography id={reasonId} variant="body2" color="text.secondary">
          {capability.reason ?? 'The publisher gave no reason.'}
        </Typography>
      </Box>
      <FormControlLabel
        sx={{ mr: 0, whiteSpace: 'nowrap' }}
        label={
          locked ? (
            <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
              <Lock fontSize="small" aria-hidden />
              <span>Required</span>
            </Stack>
          ) : checked ? (
            'Granted'
          ) : (
            'Not granted'
          )
        }
        control={
          <Switch
            checked={checked}
            disabled={locked}
            onChange={(e) => onToggle?.(e.target.checked)}
            slotProps={{ input: { 'aria-label': `Grant ${capability.scope}`, 'aria-describedby': reasonId } }}
          />
        }
      />
    </ListItem>
  );
}

/**
 * The consent dialog: required scopes shown and locked, optional scopes as toggles that start off,
 * each with the plugin's stated reason.
 */
export function ConsentDialog({
  plugin,
  versions,
  open,
  onClose,
  onInstalled,
}: {
  plugin: PluginSummary;
  versions?: PluginVersion[];
  open: boolean;
  onClose: () => void;
  onInstalled: (result: InstallResult) => void;
}) {
  const [version, setVersion] = useState(plugin.latestVersion);
  const [granted, setGranted] = useState<Set<string>>(new Set());
  const install = useMutation(PLUGIN_INSTALL);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the dialog opens
  useEffect(() => {
    if (open) {
      setVersion(plugin.latestVersion);
      setGranted(new Set());
      install.reset();
    }
  }, [open, plugin.id]);

  const chosen = versions?.find((v) => v.version === version);
  const capabilities = chosen?.capabilities ?? plugin.capabilities;
  const required = capabilities.filter((c) => c.kind === 'required');
  const optional = capabilities.filter((c) => c.kind !== 'required');
  const result = install.data?.pluginInstall;

  async function submit() {
    const data = await install.run({ id: plugin.id, version, grant: [...granted].sort() });
    if (data) onInstalled(data.pluginInstall);
  }

  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="consent-title">
      <DialogTitle id="consent-title">Install {plugin.name}</DialogTitle>
      {install.loading ? <LinearProgress aria-label="Installing" /> : null}
      <DialogContent dividers>
        {result ? (
          result.status === 'pending_review' ? (
            <Alert severity="info">
              This install needs approval. Review task <strong>{result.reviewTask?.id}</strong> is waiting in{' '}
              <a href={href(['governance', 'requests'])}>Governance</a>.
            </Alert>
          ) : (
            <Alert severity="success">
              {plugin.name}@{result.installation?.version} is installed with{' '}
              {result.installation?.grantedScopes.length ?? 0} granted scope(s).{' '}
              <a href={href(['runner', plugin.id])}>Open it in the runner</a>.
            </Alert>
          )
        ) : (
          <>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
              {plugin.name} is published by <strong>{plugin.publisher}</strong>. Grant only what you need:
              optional capabilities stay off unless you turn them on, and you can revoke them later.
            </Typography>
            {versions && versions.length > 1 ? (
              <TextField
                select
                size="small"
                label="Version"
                value={version}
                onChange={(e) => setVersion(e.target.value)}
                slotProps={{ select: { native: true } }}
                sx={{ mb: 2, minWidth: 160 }}
              >
                {versions
                  .filter((v) => !v.yanked)
                  .map((v) => (
                    <option key={v.version} value={v.version}>
                      {v.version}
                    </option>
                  ))}
              </TextField>
            ) : null}
            <Typography variant="subtitle2" component="h3">
              Required capabilities ({required.length})
            </Typography>
            {required.length === 0 ? (
              <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
                None.
              </Typography>
            ) : (
              <List dense aria-label="Required capabilities" sx={{ mb: 2 }}>
                {required.map((c) => (
                  <ScopeRow key={c.scope} capability={c} checked locked />
                ))}
              </List>
            )}
            <Typography variant="subtitle2" component="h3">
              Optional capabilities ({optional.length})
            </Typography>
            {optional.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                None.
              </Typography>
            ) : (
              <List dense aria-label="Optional capabilities">
                {optional.map((c) => (
                  <ScopeRow
                    key={c.scope}
                    capability={c}
                    checked={granted.has(c.scope)}
                    locked={false}
                    onToggle={(on) =>
                      setGranted((prev) => {
                        const next = new Set(prev);
                        if (on) next.add(c.scope);
                        else next.delete(c.scope);
                        return next;
                      })
                    }
                  />
                ))}
              </List>
            )}
            {install.error ? <ErrorState error={install.error} title="Install failed" /> : null}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {result ? (
          <Button onClick={onClose} variant="contained">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button onClick={submit} variant="contained" disabled={install.loading}>
              {granted.size > 0 ? `Install and grant ${granted.size} optional` : 'Install with required only'}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
