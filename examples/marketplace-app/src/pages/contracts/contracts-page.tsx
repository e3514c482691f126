import {
  Box,
  Chip,
  Grid,
  List,
  ListItem,
  ListItemButton,
  ListItemText,
  Paper,
  Stack,
  Tab,
  Tabs,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { useQuery } from '../../api/hooks.js';
import { CONTRACTS } from '../../api/operations/contracts.js';
import type { ContractSubject } from '../../api/types.js';
import { PageHeader } from '../../components/page-header.js';
import { EmptyState, QueryView } from '../../components/state-views.js';
import { plural } from '../../format/plural.js';
import { href } from '../../router.js';
import { EnforcementPanel } from './enforcement-panel.js';
import { TestRunner } from './test-runner.js';
import { VersionDiff } from './version-diff.js';
import { VersionGraphPanel } from './version-graph.js';
import { VersionsBrowser } from './versions-browser.js';

const TABS = [
  { key: 'versions', label: 'Versions' },
  { key: 'graph', label: 'Version graph' },
  { key: 'diff', label: 'Compare versions' },
  { key: 'test', label: 'Test and ingest' },
  { key: 'enforcement', label: 'Enforcement' },
] as const;
type TabKey = (typeof TABS)[number]['key'];

function SubjectPanel({ subject, refetch }: { subject: ContractSubject; refetch: () => void }) {
  const [tab, setTab] = useState<TabKey>('versions');
  return (
    <Paper
      variant="outlined"
      component="section"
      aria-label={`Contract ${subject.subject}`}
      sx={{ borderRadius: 2 }}
    >
      <Box sx={{ px: 3, pt: 2 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="h5" component="h2" sx={{ fontWeight: 700 }}>
            {subject.subject}
          </Typography>
          <Chip size="small" label={`v${subject.latest.version} latest`} color="primary" />
          <Chip size="small" label={subject.format.toUpperCase()} variant="outlined" />
          <Chip size="small" label={subject.compatibility} variant="outlined" />
          {subject.enforcement.map((e) => (
            <Chip
              key={e.edge}
              size="small"
              label={`${e.edge}: ${e.mode}`}
              color={e.mode === 'enforce' ? 'success' : e.mode === 'warn' ? 'warning' : 'default'}
            />
          ))}
        </Stack>
        <Tabs value={tab} onChange={(_, v: TabKey) => setTab(v)} aria-label="Contract views" sx={{ mt: 1 }}>
          {TABS.map((t) => (
            <Tab
              key={t.key}
              value={t.key}
              label={t.label}
              id={`tab-${t.key}`}
              aria-controls={`panel-${t.key}`}
            />
          ))}
        </Tabs>
      </Box>
      {TABS.map((t) => (
        // Panels stay mounted so a half-done test run survives a look at the diff.
        <Box
          key={t.key}
          role="tabpanel"
          id={`panel-${t.key}`}
          aria-labelledby={`tab-${t.key}`}
          hidden={tab !== t.key}
          sx={{ p: 3, borderTop: 1, borderColor: 'divider' }}
        >
          {t.key === 'versions' ? <VersionsBrowser subject={subject} /> : null}
          {t.key === 'graph' ? <VersionGraphPanel subject={subject} /> : null}
          {t.key === 'diff' ? <VersionDiff subject={subject} /> : null}
          {t.key === 'test' ? <TestRunner subject={subject} onIngested={refetch} /> : null}
          {t.key === 'enforcement' ? <EnforcementPanel subject={subject} onChanged={refetch} /> : null}
        </Box>
      ))}
    </Paper>
  );
}

/** The schema registry: subjects and versions, diffs, contract tests with patches, and enforcement. */
export function ContractsPage({ subject }: { subject: string | null }) {
  const contracts = useQuery(CONTRACTS, {});
  return (
    <>
      <PageHeader
        title="Data contracts"
        subtitle="Versioned schemas that gate every ingest and export, with suggested fixes for failing data."
      />
      <QueryView
        state={contracts}
        loadingLabel="Loading the registry"
        isEmpty={(d) => d.contracts.length === 0}
        empty={<EmptyState title="No contract is registered yet" />}
      >
        {(d) => {
          const selected = d.contracts.find((c) => c.subject === subject) ?? d.contracts[0];
          return (
            <Grid container spacing={3}>
              <Grid size={{ xs: 12, md: 3 }}>
                <Paper variant="outlined" component="nav" aria-label="Subjects" sx={{ borderRadius: 2 }}>
                  <Typography variant="overline" component="h2" sx={{ px: 2, pt: 1.5, display: 'block' }}>
                    Subjects ({d.contracts.length})
                  </Typography>
                  <List disablePadding>
                    {d.contracts.map((c) => (
                      <ListItem key={c.subject} disablePadding>
                        <ListItemButton
                          component="a"
                          href={href(['contracts', c.subject])}
                          selected={c.subject === selected?.subject}
                          aria-current={c.subject === selected?.subject ? 'page' : undefined}
                        >
                          <ListItemText
                            primary={c.subject}
                            secondary={`${plural(c.versions.length, 'version')} · ${c.compatibility}`}
                          />
                        </ListItemButton>
                      </ListItem>
                    ))}
                  </List>
                </Paper>
              </Grid>
              <Grid size={{ xs: 12, md: 9 }}>
                {selected ? (
                  <SubjectPanel key={selected.subject} subject={selected} refetch={contracts.refetch} />
                ) : null}
              </Grid>
            </Grid>
          );
        }}
      </QueryView>
    </>
  );
}
