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
import { INSTALL_REVIEWERS } from '../../api/pending-installs.js';
import type { Capability, InstallResult, PluginSummary, PluginVersion, ReviewTask } from '../../api/types.js';
import { RiskBadge } from '../../components/risk-badge.js';
import { ErrorState } from '../../components/state-views.js';
import { plural } from '../../format/plural.js';
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
  pendingReview,
  onClose,
  onInstalled,
}: {
  plugin: PluginSummary;
  versions?: PluginVersion[];
  /** An open review of an earlier install request: the dialog points to it instead of filing another. */
  pendingReview?: ReviewTask | undefined;
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
  // The host sends installs that add high-risk scopes (write, network) to governance before they apply.
  const highRisk = capabilities
    .filter((c) => c.risk === 'high' && (c.kind === 'required' || granted.has(c.scope)))
    .map((c) => c.scope);

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
              Pending review: request <strong>{result.reviewTask?.id}</strong> waits for {INSTALL_REVIEWERS}{' '}
              to approve it; {plugin.name} installs once they do. Follow it in{' '}
              <a href={href(['governance', 'requests'])}>Governance</a>.
            </Alert>
          ) : (
            <Alert severity="success">
              {plugin.name}@{result.installation?.version} is installed with{' '}
              {plural(result.installation?.grantedScopes.length ?? 0, 'granted scope')}.{' '}
              <a href={href(['runner', plugin.id])}>Open it in the runner</a>.
            </Alert>
          )
        ) : pendingReview ? (
          <Alert severity="info">
            Pending review: an install of {plugin.name} was requested already (request{' '}
            <strong>{pendingReview.id}</strong>) and waits for {INSTALL_REVIEWERS}. Follow it in{' '}
            <a href={href(['governance', 'requests'], { task: pendingReview.id })}>Governance</a>.
          </Alert>
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
            {highRisk.length > 0 ? (
              <Alert severity="warning" sx={{ mt: 2 }} aria-label="Needs review">
                <strong>Needs review before it installs.</strong> {highRisk.join(', ')}{' '}
                {highRisk.length === 1 ? 'is' : 'are'} high-risk, so this files a request that{' '}
                {INSTALL_REVIEWERS} must approve. The plugin installs once approved.
              </Alert>
            ) : null}
            {install.error ? <ErrorState error={install.error} title="Install failed" /> : null}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {result || pendingReview ? (
          <Button onClick={onClose} variant="contained">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button onClick={submit} variant="contained" disabled={install.loading}>
              {highRisk.length > 0
                ? 'Request review to install'
                : granted.size > 0
                  ? `Install and grant ${granted.size} optional`
                  : 'Install with required only'}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
