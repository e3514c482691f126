import { Alert, Chip, List, ListItem, ListItemText, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useQuery } from '../../api/hooks.js';
import { CONTRACT_DIFF } from '../../api/operations/contracts.js';
import type { ContractSubject } from '../../api/types.js';
import { type Highlight, SideBySide } from '../../components/side-by-side.js';
import { EmptyState, QueryView } from '../../components/state-views.js';
import { toPointer } from '../../format/json-lines.js';
import { plural } from '../../format/plural.js';

/** Two versions of a subject side by side, with the changes (breaking ones in red) highlighted. */
export function VersionDiff({ subject }: { subject: ContractSubject }) {
  const versions = subject.versions.map((v) => v.version).sort((a, b) => a - b);
  const last = versions[versions.length - 1] ?? 1;
  const [from, setFrom] = useState(versions[versions.length - 2] ?? last);
  const [to, setTo] = useState(last);
  const diff = useQuery(CONTRACT_DIFF, { subject: subject.subject, from, to }, { skip: versions.length < 2 });

  if (versions.length < 2) {
    return <EmptyState title="Only one version">Register a second version to compare.</EmptyState>;
  }
  const pick = (label: string, value: number, set: (v: number) => void) => (
    <TextField
      select
      size="small"
      label={label}
      value={String(value)}
      onChange={(e) => set(Number(e.target.value))}
      slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
      sx={{ minWidth: 120 }}
    >
      {versions.map((v) => (
        <option key={v} value={v}>
          v{v}
        </option>
      ))}
    </TextField>
  );
  return (
    <>
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center' }}>
        {pick('From version', from, setFrom)}
        {pick('To version', to, setTo)}
        <Typography variant="body2" color="text.secondary">
          Compatibility mode: <strong>{subject.compatibility}</strong>
        </Typography>
      </Stack>
      <QueryView state={diff} loadingLabel="Comparing versions">
        {({ contractDiff: d }) => {
          const marks = d.changes.map((c) => ({
            path: toPointer(c.path),
            kind: (c.breaking ? 'breaking' : 'change') as Highlight,
          }));
          return (
            <Stack spacing={2}>
              <Alert severity={d.compatible ? 'success' : 'error'} aria-label="Compatibility verdict">
                v{d.to.version} is {d.compatible ? '' : 'not '}compatible with v{d.from.version} under{' '}
                {subject.compatibility}: {plural(d.changes.length, 'change')},{' '}
                {d.changes.filter((c) => c.breaking).length} breaking.
              </Alert>
              {d.changes.length === 0 ? (
                <Typography color="text.secondary">The two versions are identical.</Typography>
              ) : (
                <List dense aria-label="Schema changes" disablePadding>
                  {d.changes.map((c, i) => (
                    <ListItem
                      // biome-ignore lint/suspicious/noArrayIndexKey: changes may share a path
                      key={i}
                      disableGutters
                      sx={{
                        borderLeft: 4,
                        borderColor: c.breaking ? 'error.main' : 'warning.main',
                        pl: 1.5,
                        mb: 0.5,
                      }}
                    >
                      <ListItemText
                        primary={
                          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                            <Chip
                              size="small"
                              label={c.breaking ? 'breaking' : 'compatible'}
                              color={c.breaking ? 'error' : 'default'}
                            />
                            <code>{c.path || '/'}</code>
                            <Typography variant="body2" component="span" color="text.secondary">
                              {c.kind}
                            </Typography>
                          </Stack>
                        }
                        secondary={c.message}
                      />
                    </ListItem>
                  ))}
                </List>
              )}
              {d.issues.length > 0 ? (
                <Alert severity="warning">
                  {d.issues.map((i) => (
                    <div key={`${i.code}${i.path}`}>
                      <code>{i.path}</code> {i.message}
                    </div>
                  ))}
                </Alert>
              ) : null}
              <SideBySide
                left={{
                  title: `v${d.from.version} (${d.from.fingerprint.slice(0, 10)})`,
                  value: d.from.schema,
                  marks,
                }}
                right={{
                  title: `v${d.to.version} (${d.to.fingerprint.slice(0, 10)})`,
                  value: d.to.schema,
                  marks,
                }}
              />
            </Stack>
          );
        }}
      </QueryView>
    </>
  );
}
