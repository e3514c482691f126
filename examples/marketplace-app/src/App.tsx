import { Fragment } from 'react';
import { useIdentity } from './auth/identity-context.js';
import { AppShell, type AreaKey } from './components/app-shell.js';
import { ContractsPage } from './pages/contracts/contracts-page.js';
import { FinOpsPage } from './pages/finops/finops-page.js';
import { GovernancePage } from './pages/governance/governance-page.js';
import { MarketplacePage } from './pages/marketplace/marketplace-page.js';
import { PluginDetailPage } from './pages/marketplace/plugin-detail-page.js';
import { RunnerPage } from './pages/runner/runner-page.js';
import { useRoute } from './router.js';

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
      <Fragment key={identity.userId}>{page}</Fragment>
    </AppShell>
  );
}
