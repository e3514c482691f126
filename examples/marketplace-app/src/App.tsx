import { Fragment, lazy, Suspense } from 'react';
import { useIdentity } from './auth/identity-context.js';
import { AppShell, type AreaKey } from './components/app-shell.js';
import { LoadingState } from './components/state-views.js';
import { MarketplacePage } from './pages/marketplace/marketplace-page.js';
import { useRoute } from './router.js';

// The landing page ships in the main bundle; the others (and Recharts with FinOps) load on first visit.
const PluginDetailPage = lazy(() =>
  import('./pages/marketplace/plugin-detail-page.js').then((m) => ({ default: m.PluginDetailPage })),
);
const RunnerPage = lazy(() =>
  import('./pages/runner/runner-page.js').then((m) => ({ default: m.RunnerPage })),
);
const ContractsPage = lazy(() =>
  import('./pages/contracts/contracts-page.js').then((m) => ({ default: m.ContractsPage })),
);
const GovernancePage = lazy(() =>
  import('./pages/governance/governance-page.js').then((m) => ({ default: m.GovernancePage })),
);
const FinOpsPage = lazy(() =>
  import('./pages/finops/finops-page.js').then((m) => ({ default: m.FinOpsPage })),
);

/** Picks the page for the current hash route. */
export function App() {
  const { segments, params } = useRoute();
  const { identity } = useIdentity();
  const [first = 'marketplace', second] = segments;
  let area: AreaKey = 'marketplace';
  let page = <MarketplacePage tab={second === 'installed' ? 'installed' : 'catalog'} />;
  if (first === 'plugins' && second) {
    page = <PluginDetailPage pluginId={second} />;
  } else if (first === 'runner') {
    area = 'runner';
    page = <RunnerPage pluginId={second ?? null} />;
  } else if (first === 'contracts') {
    area = 'contracts';
    page = <ContractsPage subject={second ?? null} />;
  } else if (first === 'governance') {
    area = 'governance';
    page = <GovernancePage tab={second ?? 'approvals'} taskId={params.get('task')} />;
  } else if (first === 'finops') {
    area = 'finops';
    page = <FinOpsPage />;
  }
  // Switching users starts each page afresh: no half-filled form or notice carries over to another user.
  return (
    <AppShell area={area}>
      <Suspense fallback={<LoadingState label="Loading the page" />}>
        <Fragment key={identity.userId}>{page}</Fragment>
      </Suspense>
    </AppShell>
  );
}
