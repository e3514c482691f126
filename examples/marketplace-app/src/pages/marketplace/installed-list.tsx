import PlayArrow from '@mui/icons-material/PlayArrow';
import {
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks.js';
import {
  CATALOG,
  INSTALLED_PLUGINS,
  PLUGIN_GRANT,
  PLUGIN_REVOKE,
  PLUGIN_UNINSTALL,
} from '../../api/operations/marketplace.js';
import type { InstalledPlugin } from '../../api/types.js';
import { EmptyState, ErrorState, QueryView } from '../../components/state-views.js';
import { formatTimestamp } from '../../format/time.js';
import { href } from '../../router.js';
import { NegotiatedContracts } from './negotiated-contracts.js';

function InstallationRow({
  inst,
  offered,
  onChanged,
}: {
  inst: InstalledPlugin;
  /** Optional scopes the plugin offers (granted or not). */
  offered: string[];
  onChanged: () => void;
}) {
  const revoke = useMutation(PLUGIN_REVOKE);
  const grant = useMutation(PLUGIN_GRANT);
  const uninstall = useMutation(PLUGIN_UNINSTALL);
  const [confirming, setConfirming] = useState(false);
  const [awaiting, setAwaiting] = useState<string | null>(null);
  const busy = revoke.loading || grant.loading || uninstall.loading;
  const error = revoke.error ?? grant.error ?? uninstall.error;
  const granted = new Set(inst.grantedScopes);
  const optional = [...new Set([...offered, ...inst.optionalScopes])].sort();

  async function change(kind: 'grant' | 'revoke', scope: string) {
    const vars = { id: inst.pluginId, scopes: [scope], reason: `${kind} ${scope} from the installed list` };
    if (kind === 'grant') {
      const done = await grant.run(vars);
      if (!done) return;
      // A high-risk scope waits for a steward: say so instead of pretending it was granted.
      if (done.pluginGrant.status === 'pending_review') setAwaiting(scope);
      onChanged();
      return;
    }
    if (await revoke.run(vars)) onChanged();
  }

  return (
    <>
      <TableRow aria-label={inst.pluginId}>
        <TableCell component="th" scope="row">
          <Link href={href(['plugins', inst.pluginId])} underline="hover" sx={{ fontWeight: 600 }}>
            {inst.pluginId}
          </Link>
          <Typography variant="body2" color="text.secondary">
            v{inst.version}
            {inst.pinned ? ' · pinned' : ''}
          </Typography>
        </TableCell>
        <TableCell>
          <Chip
            size="small"
            label={inst.status}
            color={['enabled', 'active', 'installed'].includes(inst.status) ? 'success' : 'warning'}
          />
        </TableCell>
        <TableCell>
          <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5 }}>
            {inst.requiredScopes.map((s) => (
              <Tooltip key={s} title="Required: revoke by uninstalling">
                <Chip size="small" label={s} color={granted.has(s) ? 'primary' : 'default'} />
              </Tooltip>
            ))}
          </Stack>
        </TableCell>
        <TableCell>
          <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5 }}>
            {optional.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                none
              </Typography>
            ) : null}
            {optional.map((s) =>
              granted.has(s) ? (
                <Chip
                  key={s}
                  size="small"
                  color="secondary"
                  label={s}
                  disabled={busy}
                  onClick={() => change('revoke', s)}
                  onDelete={() => change('revoke', s)}
                  aria-label={`Revoke ${s}`}
                />
              ) : (
                <Chip
                  key={s}
                  size="small"
                  variant="outlined"
                  label={`+ ${s}`}
                  disabled={busy}
                  onClick={() => change('grant', s)}
                  aria-label={`Grant ${s}`}
                />
              ),
            )}
          </Stack>
          {awaiting ? (
            <Typography variant="body2" role="status" sx={{ mt: 1 }}>
              {awaiting} needs a review before it is granted: pending review.
            </Typography>
          ) : null}
          {error ? <ErrorState error={error} title="The change was refused" /> : null}
        </TableCell>
        <TableCell>
          <NegotiatedContracts pluginId={inst.pluginId} contracts={inst.contracts} />
        </TableCell>
        <TableCell>
          <Typography variant="body2">{formatTimestamp(inst.installedAt)}</Typography>
          <Typography variant="caption" color="text.secondary">
            by {inst.installedBy}
          </Typography>
        </TableCell>
        <TableCell align="right">
          <Stack direction="row" spacing={1} sx={{ justifyContent: 'flex-end' }}>
            <Button size="small" startIcon={<PlayArrow />} href={href(['runner', inst.pluginId])}>
              Run
            </Button>
            <Button
              size="small"
              color="error"
              disabled={busy}
              onClick={() => setConfirming(true)}
              aria-label={`Uninstall ${inst.pluginId}`}
            >
              Uninstall
            </Button>
          </Stack>
        </TableCell>
      </TableRow>
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        aria-labelledby={`uninstall-${inst.pluginId}`}
      >
        <DialogTitle id={`uninstall-${inst.pluginId}`}>Uninstall {inst.pluginId}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Every capability granted to it is revoked and its cached data is removed. You can install it again
            later.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
          <Button
            color="error"
            variant="contained"
            onClick={async () => {
              const ok = await uninstall.run({ id: inst.pluginId });
              setConfirming(false);
              if (ok) onChanged();
            }}
          >
            Uninstall
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

/** The org's installed plugins, with grant, revoke and uninstall. */
export function InstalledList() {
  const installs = useQuery(INSTALLED_PLUGINS, {});
  // The catalog says which optional scopes each plugin offers, so ungranted ones can be granted here.
  const catalog = useQuery(CATALOG, { filter: null });
  const offered = new Map(
    (catalog.data?.catalog ?? []).map((p) => [
      p.id,
      p.capabilities.filter((c) => c.kind !== 'required').map((c) => c.scope),
    ]),
  );
  return (
    <QueryView
      state={installs}
      loadingLabel="Loading installed plugins"
      isEmpty={(d) => d.installations.length === 0}
      empty={
        <EmptyState
          title="No plugin is installed in your org"
          action={
            <Button variant="contained" href={href(['marketplace'])}>
              Browse the catalog
            </Button>
          }
        />
      }
    >
      {(data) => (
        <TableContainer component="section" aria-label="Installed plugins">
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>Plugin</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Required scopes</TableCell>
                <TableCell>Optional scopes</TableCell>
                <TableCell>Contracts</TableCell>
                <TableCell>Installed</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.installations.map((i) => (
                <InstallationRow
                  key={i.pluginId}
                  inst={i}
                  offered={offered.get(i.pluginId) ?? []}
                  onChanged={installs.refetch}
                />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </QueryView>
  );
}
