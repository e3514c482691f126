import { Fragment, lazy, type ReactElement, Suspense } from 'react';
import { useIdentity } from './auth/identity-context.js';
import { AppShell, type AreaKey } from './components/app-shell.js';
import { LoadingState } from './components/state-views.js';
import { MarketplacePage } from './pages/marketplace/marketplace-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { matchRoute, useRoute } from './router.js';

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
const ModerationPage = lazy(() =>
  import('./pages/moderation/moderation-page.js').then((m) => ({ default: m.ModerationPage })),
);

/** Picks the page for the current hash route. */
export function App() {
  const { segments, params } = useRoute();
  const { identity } = useIdentity();
  const route = matchRoute(segments);
  let area: AreaKey | null = 'marketplace';
  let page: ReactElement;
  switch (route.page) {
    case 'marketplace':
      page = <MarketplacePage tab={route.tab} />;
      break;
    case 'plugin':
      page = <PluginDetailPage pluginId={route.pluginId} />;
      break;
    case 'runner':
      area = 'runner';
      page = <RunnerPage pluginId={route.pluginId} tab={route.tab} focusRun={params.get('run')} />;
      break;
    case 'contracts':
      area = 'contracts';
      page = <ContractsPage subject={route.subject} />;
      break;
    case 'governance':
      area = 'governance';
      page = <GovernancePage tab={route.tab} taskId={params.get('task')} />;
      break;
    case 'finops':
      area = 'finops';
      page = <FinOpsPage />;
      break;
    case 'moderation':
      area = 'moderation';
      page = <ModerationPage />;
      break;
    default:
      area = null;
      page = <NotFoundPage path={route.path} />;
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
