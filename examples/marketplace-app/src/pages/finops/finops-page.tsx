import Refresh from '@mui/icons-material/Refresh';
import { Box, Button, Grid, LinearProgress, Paper, Stack, Typography } from '@mui/material';
import { useMemo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useQuery } from '../../api/hooks.js';
import { FINOPS_DASHBOARD } from '../../api/operations/finops.js';
import type { FinOpsDashboard } from '../../api/types.js';
import { useIdentity } from '../../auth/identity-context.js';
import { PageHeader } from '../../components/page-header.js';
import { Section } from '../../components/section.js';
import { QueryView } from '../../components/state-views.js';
import { UsageBar } from '../../components/usage-bar.js';
import { currencyScale, formatMoney, formatNumber } from '../../format/money.js';
import { plural } from '../../format/plural.js';
import { formatDuration } from '../../format/time.js';
import { ChartFigure } from './chart-figure.js';
import { KillSwitchPanel } from './kill-switch-panel.js';
import { p95Rows, seriesColor } from './series.js';

const timeLabel = (t: unknown) =>
  typeof t === 'number'
    ? new Date(t).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', hour12: false })
    : String(t);
const timeAndDate = (t: unknown) =>
  typeof t === 'number'
    ? new Date(t).toLocaleString('en-US', {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      })
    : String(t);

function Kpi({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, borderRadius: 2, height: '100%' }}>
      <Typography variant="overline" color="text.secondary" component="h2">
        {label}
      </Typography>
      <Typography variant="h5" component="p" sx={{ fontWeight: 700 }}>
        {value}
      </Typography>
      {hint ? (
        <Typography variant="caption" color="text.secondary">
          {hint}
        </Typography>
      ) : null}
    </Paper>
  );
}

function Dashboard({ d, refetch }: { d: FinOpsDashboard; refetch: () => void }) {
  const { identity } = useIdentity();
  const { iso, scale } = currencyScale(d.currency);
  const { rows: p95, plugins: p95Plugins } = useMemo(() => p95Rows(d.p95Series), [d.p95Series]);
  const runs = d.plugins.reduce((n, p) => n + p.runs, 0);
  const errors = d.plugins.reduce((n, p) => n + p.errors, 0);
  const denied = d.plugins.reduce((n, p) => n + p.denied, 0);
  const cost = d.plugins.reduce((n, p) => n + p.cost, 0);
  const costRows = d.plugins
    .map((p) => ({ plugin: p.pluginId, cost: p.cost / scale }))
    .sort((a, b) => b.cost - a.cost);
  const quotaRows = d.quotas.map((q) => ({
    name: `${q.pluginId ?? 'all plugins'} · ${q.resource}/${q.window}`,
    used: q.used,
    limit: q.limit,
    pct: q.limit > 0 ? Math.round((q.used / q.limit) * 100) : 0,
  }));
  const checks = d.contractChecks.map((c) => ({
    name: `${c.subject} (${c.edge})`,
    passed: c.passed,
    failed: c.failed,
  }));
  const failed = d.contractChecks.reduce((n, c) => n + c.failed, 0);
  const sla = [
    { name: 'Open, on time', value: Math.max(0, d.approvals.open - d.approvals.overdue), color: '#3949ab' },
    { name: 'Overdue', value: d.approvals.overdue, color: '#d32f2f' },
    { name: 'Decided', value: d.approvals.decided, color: '#2e7d32' },
  ];

  return (
    <Stack spacing={3}>
      <Grid container spacing={2} component="section" aria-label="Key figures">
        <Grid size={{ xs: 6, md: 3 }}>
          <Kpi
            label="Plugin runs"
            value={formatNumber(runs, 0)}
            hint={`${errors} failed · ${plural(denied, 'run')} denied (not counted as runs)`}
          />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Kpi
            label={`Cost (${identity.orgId})`}
            value={formatMoney(cost, d.currency)}
            hint={plural(d.plugins.length, 'plugin')}
          />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Kpi
            label="Contract failures"
            value={formatNumber(failed, 0)}
            hint={plural(d.contractChecks.length, 'subject/edge pair')}
          />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Kpi
            label="Approvals open"
            value={`${d.approvals.open}`}
            hint={`${d.approvals.overdue} overdue · median decision ${
              d.approvals.medianDecisionSeconds === null
                ? '—'
                : formatDuration(d.approvals.medianDecisionSeconds * 1000)
            }`}
          />
        </Grid>
      </Grid>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <ChartFigure
            title="Plugin p95 latency over time"
            summary={`${plural(p95Plugins.length, 'plugin')}; p95 wall time in milliseconds per minute of runs that executed, on a time axis to scale (a gap in a line means no runs)`}
            empty={p95.length === 0}
            emptyText="No runs yet"
          >
            <ResponsiveContainer>
              <LineChart data={p95} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="t"
                  type="number"
                  scale="time"
                  domain={['dataMin - 60000', 'dataMax + 60000']}
                  tickFormatter={timeLabel}
                  fontSize={12}
                  name="Time"
                />
                <YAxis unit=" ms" fontSize={12} width={70} />
                <Tooltip
                  labelFormatter={timeAndDate}
                  formatter={(v, name) => [`${formatNumber(Number(v), 1)} ms`, `${String(name)} p95`]}
                />
                <Legend />
                {p95Plugins.map((p, i) => (
                  <Line
                    key={p}
                    type="linear"
                    dataKey={p}
                    stroke={seriesColor(i)}
                    strokeWidth={2}
                    dot
                    connectNulls={false}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </ChartFigure>
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <ChartFigure
            title="Cost per plugin"
            summary={`Org ${identity.orgId}, ${iso}, this billing period`}
            empty={costRows.length === 0}
            emptyText="Nothing billed yet"
          >
            <ResponsiveContainer>
              <BarChart data={costRows} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 16 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  type="number"
                  fontSize={12}
                  tickFormatter={(v: number) => formatMoney(v * scale, d.currency)}
                />
                <YAxis type="category" dataKey="plugin" width={120} fontSize={12} />
                <Tooltip formatter={(v) => formatMoney(Number(v) * scale, d.currency)} />
                <Bar dataKey="cost" name="cost" fill="#00695c" isAnimationActive={false} maxBarSize={36} />
              </BarChart>
            </ResponsiveContainer>
          </ChartFigure>
        </Grid>
        <Grid size={{ xs: 12, md: 6, lg: 4 }}>
          <ChartFigure
            title="Quota usage against limits"
            summary={`${plural(d.quotas.length, 'quota')}; percent of the limit used in the current window`}
            empty={quotaRows.length === 0}
            emptyText="No quota is set"
          >
            <ResponsiveContainer>
              <BarChart
                data={quotaRows}
                layout="vertical"
                margin={{ top: 8, right: 16, bottom: 0, left: 16 }}
              >
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" unit="%" domain={[0, 100]} fontSize={12} />
                <YAxis type="category" dataKey="name" width={150} fontSize={11} />
                <Tooltip
                  formatter={(v, _n, item) => [
                    `${v}% (${item.payload.used} of ${item.payload.limit})`,
                    'used',
                  ]}
                />
                <Bar dataKey="pct" name="used %" isAnimationActive={false} minPointSize={3} maxBarSize={36}>
                  <LabelList dataKey="pct" position="right" formatter={(v) => `${v}%`} fontSize={11} />
                  {quotaRows.map((q) => (
                    <Cell
                      key={q.name}
                      fill={q.pct >= 100 ? '#d32f2f' : q.pct >= 75 ? '#a84d00' : '#3949ab'}
                    />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </ChartFigure>
        </Grid>
        <Grid size={{ xs: 12, md: 6, lg: 4 }}>
          <ChartFigure
            title="Contract checks"
            summary={`${plural(failed, 'failure')} across ${plural(checks.length, 'subject/edge pair')}`}
            empty={checks.length === 0}
            emptyText="No contract check yet"
          >
            <ResponsiveContainer>
              <BarChart data={checks} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" fontSize={11} />
                <YAxis allowDecimals={false} fontSize={12} />
                <Tooltip />
                <Legend />
                <Bar dataKey="passed" stackId="c" fill="#2e7d32" isAnimationActive={false} maxBarSize={64} />
                <Bar dataKey="failed" stackId="c" fill="#d32f2f" isAnimationActive={false} maxBarSize={64} />
              </BarChart>
            </ResponsiveContainer>
          </ChartFigure>
        </Grid>
        <Grid size={{ xs: 12, md: 6, lg: 4 }}>
          <ChartFigure
            title="Approval SLA"
            summary={`${d.approvals.open} open, ${d.approvals.overdue} overdue, ${d.approvals.decided} decided`}
            empty={d.approvals.open + d.approvals.decided === 0}
            emptyText="No review yet"
          >
            <ResponsiveContainer>
              <PieChart>
                <Pie
                  data={sla}
                  dataKey="value"
                  nameKey="name"
                  innerRadius="50%"
                  outerRadius="80%"
                  isAnimationActive={false}
                >
                  {sla.map((s) => (
                    <Cell key={s.name} fill={s.color} />
                  ))}
                </Pie>
                <Tooltip />
                <Legend />
              </PieChart>
            </ResponsiveContainer>
          </ChartFigure>
        </Grid>
      </Grid>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section title="Quotas">
            {d.quotas.length === 0 ? (
              <Typography color="text.secondary">No quota is set for this org.</Typography>
            ) : (
              d.quotas.map((q) => (
                <UsageBar
                  key={q.id}
                  label={`${q.pluginId ?? 'All plugins'} · ${q.resource} per ${q.window} (${q.mode})`}
                  used={q.used}
                  limit={q.limit}
                />
              ))
            )}
          </Section>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section title="Kill switches">
            <KillSwitchPanel
              switches={d.killSwitches}
              orgId={identity.orgId}
              pluginIds={d.plugins.map((p) => p.pluginId)}
              onChanged={refetch}
            />
          </Section>
        </Grid>
      </Grid>
    </Stack>
  );
}

/** FinOps: latency, cost, quotas, contract failures, approval SLAs, and the kill switches. */
export function FinOpsPage() {
  const dash = useQuery(FINOPS_DASHBOARD, {});
  return (
    <>
      <PageHeader
        title="FinOps"
        subtitle="What plugins cost, how fast they run, and the levers to stop them."
        actions={
          <Button startIcon={<Refresh />} onClick={dash.refetch} disabled={dash.loading}>
            Refresh
          </Button>
        }
      />
      {dash.loading && dash.data ? <LinearProgress aria-label="Refreshing" sx={{ mb: 2 }} /> : null}
      <QueryView state={dash} loadingLabel="Loading the dashboard">
        {(data) => (
          <Box>
            <Dashboard d={data.finopsDashboard} refetch={dash.refetch} />
          </Box>
        )}
      </QueryView>
    </>
  );
}
