import { Box, Chip, List, ListItem, ListItemButton, ListItemText, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import type { ContractSubject } from '../../api/types.js';
import { SideBySide } from '../../components/side-by-side.js';
import { formatTimestamp } from '../../format/time.js';
import { useNow } from '../../use-now.js';
import { deprecationOf } from './migration-graph.js';

/** The versions of a subject, newest first, and the schema of the selected one. */
export function VersionsBrowser({ subject }: { subject: ContractSubject }) {
  const versions = [...subject.versions].sort((a, b) => b.version - a.version);
  const [selected, setSelected] = useState(subject.latest.version);
  const now = useNow(60_000);
  const current = versions.find((v) => v.version === selected) ?? versions[0];
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} spacing={3}>
      <List aria-label={`Versions of ${subject.subject}`} sx={{ minWidth: 220 }} disablePadding>
        {versions.map((v) => (
          <ListItem key={v.version} disablePadding>
            <ListItemButton
              selected={v.version === current?.version}
              aria-pressed={v.version === current?.version}
              onClick={() => setSelected(v.version)}
              sx={{ borderRadius: 1 }}
            >
              <ListItemText
                primary={
                  <Stack component="span" direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                    <span>v{v.version}</span>
                    {v.version === subject.latest.version ? (
                      <Chip size="small" color="primary" label="latest" />
                    ) : null}
                    {v.deleted ? <Chip size="small" color="warning" label="deleted" /> : null}
                    {v.deprecatedUntil ? (
                      <Chip
                        size="small"
                        color={deprecationOf(v.deprecatedUntil, now).state === 'closed' ? 'error' : 'warning'}
                        variant="outlined"
                        label="deprecated"
                        title={deprecationOf(v.deprecatedUntil, now).label}
                      />
                    ) : null}
                  </Stack>
                }
                secondary={
                  v.deprecatedUntil
                    ? `${formatTimestamp(v.createdAt)} · ${deprecationOf(v.deprecatedUntil, now).label}`
                    : formatTimestamp(v.createdAt)
                }
              />
            </ListItemButton>
          </ListItem>
        ))}
      </List>
      {current ? (
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {current.format.toUpperCase()} schema · fingerprint{' '}
            <code>{current.fingerprint.slice(0, 16)}</code>
          </Typography>
          <SideBySide
            left={{ title: `${subject.subject} v${current.version}`, value: current.schema, marks: [] }}
            right={{
              title: 'Subject settings',
              value: {
                compatibility: subject.compatibility,
                format: subject.format,
                enforcement: Object.fromEntries(subject.enforcement.map((e) => [e.edge, e.mode])),
              },
              marks: [],
            }}
          />
        </Box>
      ) : null}
    </Stack>
  );
}
