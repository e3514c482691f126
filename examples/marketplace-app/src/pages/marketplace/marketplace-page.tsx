import Search from '@mui/icons-material/Search';
import {
  Alert,
  Box,
  Grid,
  InputAdornment,
  LinearProgress,
  MenuItem,
  Stack,
  Tab,
  Tabs,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '../../api/hooks.js';
import { CATALOG, type CatalogFilter, INSTALLATIONS, SEARCH } from '../../api/operations/marketplace.js';
import { usePendingInstalls } from '../../api/pending-installs.js';
import type { InstallResult, PluginSummary, RiskLevel } from '../../api/types.js';
import { PageHeader } from '../../components/page-header.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/state-views.js';
import { plural } from '../../format/plural.js';
import { href, useRoute } from '../../router.js';
import { ConsentDialog } from './consent-dialog.js';
import { InstalledList } from './installed-list.js';
import { PluginCard } from './plugin-card.js';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const RISKS: readonly string[] = ['low', 'medium', 'high'];

function Catalog() {
  // Search and filters live in the URL, so a filtered view can be shared, bookmarked and reloaded.
  const { params } = useRoute();
  const [text, setText] = useState(() => params.get('q') ?? '');
  const [capability, setCapability] = useState(() => params.get('capability') ?? '');
  const [risk, setRisk] = useState<RiskLevel | ''>(() => {
    const r = params.get('risk') ?? '';
    return RISKS.includes(r) ? (r as RiskLevel) : '';
  });
  const [publisher, setPublisher] = useState(() => params.get('publisher') ?? '');
  const [installing, setInstalling] = useState<PluginSummary | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const query = useDebounced(text.trim(), 250);
  useEffect(() => {
    const next = href(['marketplace'], { q: query, capability, risk, publisher });
    // replaceState: typing is not a history entry per keystroke, and fires no hashchange.
    if (window.location.hash !== next) window.history.replaceState(null, '', next);
  }, [query, capability, risk, publisher]);

  const filter: CatalogFilter | null =
    capability || risk || publisher
      ? { capability: capability || null, risk: risk || null, publisher: publisher || null }
      : null;
  // The unfiltered catalog feeds the filter choices; the filtered list is what the user sees.
  const all = useQuery(CATALOG, { filter: null });
  const listed = useQuery(CATALOG, { filter }, { skip: query !== '' });
  const searched = useQuery(SEARCH, { query, filter, limit: 50 }, { skip: query === '' });
  const installs = useQuery(INSTALLATIONS, {});
  const reviews = usePendingInstalls();
  const installed = useMemo(
    () => new Set((installs.data?.installations ?? []).map((i) => i.pluginId)),
    [installs.data],
  );

  const capabilities = useMemo(
    () => [...new Set((all.data?.catalog ?? []).flatMap((p) => p.capabilities.map((c) => c.scope)))].sort(),
    [all.data],
  );
  const publishers = useMemo(
    () => [...new Set((all.data?.catalog ?? []).map((p) => p.publisher))].sort(),
    [all.data],
  );

  const active = query === '' ? listed : searched;
  const plugins: PluginSummary[] | undefined =
    query === '' ? listed.data?.catalog : searched.data?.search.map((h) => h.plugin);

  function installedNow(result: InstallResult) {
    installs.refetch();
    listed.refetch();
    reviews.refetch();
    if (result.status === 'installed') setNotice(`${result.installation?.pluginId} installed.`);
    else if (result.reviewTask)
      setNotice(`Install request ${result.reviewTask.id} filed: it waits for review in Governance.`);
  }

  return (
    <>
      <Box
        component="form"
        role="search"
        aria-label="Search and filter plugins"
        onSubmit={(e) => e.preventDefault()}
        sx={{ mb: 3 }}
      >
        <Grid container spacing={2}>
          <Grid size={{ xs: 12, md: 5 }}>
            <TextField
              fullWidth
              type="search"
              label="Search plugins"
              placeholder="enrich, export, overlay…"
              value={text}
              onChange={(e) => setText(e.target.value)}
              slotProps={{
                input: {
                  startAdornment: (
                    <InputAdornment position="start">
                      <Search aria-hidden />
                    </InputAdornment>
                  ),
                },
              }}
            />
          </Grid>
          <Grid size={{ xs: 12, sm: 4, md: 3 }}>
            <TextField
              select
              fullWidth
              label="Capability"
              slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
              value={capability}
              onChange={(e) => setCapability(e.target.value)}
            >
              <MenuItem value="">Any capability</MenuItem>
              {capabilities.map((c) => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid size={{ xs: 6, sm: 4, md: 2 }}>
            <TextField
              select
              fullWidth
              label="Risk"
              slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
              value={risk}
              onChange={(e) => setRisk(e.target.value as RiskLevel | '')}
            >
              <MenuItem value="">Any risk</MenuItem>
              <MenuItem value="low">Low</MenuItem>
              <MenuItem value="medium">Medium</MenuItem>
              <MenuItem value="high">High</MenuItem>
            </TextField>
          </Grid>
          <Grid size={{ xs: 6, sm: 4, md: 2 }}>
            <TextField
              select
              fullWidth
              label="Publisher"
              slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
              value={publisher}
              onChange={(e) => setPublisher(e.target.value)}
            >
              <MenuItem value="">Any publisher</MenuItem>
              {publishers.map((p) => (
                <MenuItem key={p} value={p}>
                  {p}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
        </Grid>
      </Box>
      {notice ? (
        <Alert severity="success" role="status" onClose={() => setNotice(null)} sx={{ mb: 2 }}>
          {notice}
        </Alert>
      ) : null}
      {active.loading && plugins ? <LinearProgress aria-label="Updating results" sx={{ mb: 1 }} /> : null}
      {active.error ? (
        <ErrorState error={active.error} title="Could not load the catalog" onRetry={active.refetch} />
      ) : plugins === undefined ? (
        <LoadingState label="Loading the catalog" />
      ) : plugins.length === 0 ? (
        <EmptyState title={query ? `No plugin matches “${query}”` : 'No plugin matches these filters'}>
          Try fewer filters or another search.
        </EmptyState>
      ) : (
        <Box component="section" aria-labelledby="plugins-heading">
          <Typography id="plugins-heading" variant="subtitle1" component="h2" sx={{ mb: 1, fontWeight: 600 }}>
            {query
              ? `${plural(plugins.length, 'plugin')} matching “${query}”`
              : plural(plugins.length, 'plugin')}
          </Typography>
          <Grid container spacing={2} component="ul" sx={{ listStyle: 'none', p: 0, m: 0 }}>
            {plugins.map((p) => (
              <Grid key={p.id} size={{ xs: 12, sm: 6, lg: 4 }} component="li">
                <PluginCard
                  plugin={p}
                  installed={installed.has(p.id)}
                  pendingReview={reviews.pending.get(p.id)}
                  onInstall={() => setInstalling(p)}
                />
              </Grid>
            ))}
          </Grid>
        </Box>
      )}
      {installing ? (
        <ConsentDialog
          plugin={installing}
          pendingReview={reviews.pending.get(installing.id)}
          open
          onClose={() => setInstalling(null)}
          onInstalled={installedNow}
        />
      ) : null}
    </>
  );
}

/** The marketplace: the catalog with search and filters, and the org's installed plugins. */
export function MarketplacePage({ tab }: { tab: 'catalog' | 'installed' }) {
  return (
    <>
      <PageHeader
        title="Marketplace"
        subtitle="Signed plugins, installed with only the capabilities you consent to."
      />
      <Stack sx={{ mb: 3, borderBottom: 1, borderColor: 'divider' }}>
        <Tabs value={tab} aria-label="Marketplace views">
          <Tab value="catalog" label="Catalog" href={href(['marketplace'])} component="a" />
          <Tab value="installed" label="Installed" href={href(['marketplace', 'installed'])} component="a" />
        </Tabs>
      </Stack>
      {tab === 'catalog' ? <Catalog /> : <InstalledList />}
    </>
  );
}
