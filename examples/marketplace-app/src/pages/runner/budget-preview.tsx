import { Box, Stack, Typography } from '@mui/material';
import type { QueryState } from '../../api/hooks.js';
import type { BudgetHint } from '../../api/types.js';
import { Section } from '../../components/section.js';
import { QueryView } from '../../components/state-views.js';
import { UsageBar } from '../../components/usage-bar.js';
import { formatMoney, formatNumber } from '../../format/money.js';

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="p">
        {label}
      </Typography>
      <Typography variant="h6" component="p">
        {value}
      </Typography>
    </Box>
  );
}

/** The budget hint before a run: expected cost from past runs and the quota left in each window. */
export function BudgetPreview({ hint }: { hint: QueryState<{ hint: BudgetHint }> }) {
  return (
    <Section title="Budget preview">
      <QueryView state={hint} loadingLabel="Estimating the cost">
        {({ hint: h }) => (
          <>
            <Stack
              direction="row"
              spacing={4}
              useFlexGap
              sx={{ mb: 2, flexWrap: 'wrap', rowGap: 1 }}
              aria-label="Expected cost"
            >
              <Stat
                label="Expected cost per run"
                value={h.expectedCost ? formatMoney(h.expectedCost.amount, h.expectedCost.currency) : '—'}
              />
              <Stat
                label="CPU p50 / p95"
                value={
                  h.cpuMsP50 === null
                    ? '—'
                    : `${formatNumber(h.cpuMsP50)} / ${formatNumber(h.cpuMsP95 ?? 0)} ms`
                }
              />
              <Stat
                label="Time p50 / p95"
                value={
                  h.wallMsP50 === null
                    ? '—'
                    : `${formatNumber(h.wallMsP50)} / ${formatNumber(h.wallMsP95 ?? 0)} ms`
                }
              />
              <Stat label="Past runs that executed" value={formatNumber(h.runs, 0)} />
            </Stack>
            {h.runs === 0 ? (
              <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
                No run has executed yet: the estimate firms up after the first few. Refused runs (kill switch,
                quota, input contract) never count.
              </Typography>
            ) : null}
            <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
              Remaining quota
            </Typography>
            {h.remaining.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                No quota applies to this plugin.
              </Typography>
            ) : (
              h.remaining.map((q) => (
                <UsageBar
                  key={`${q.resource}-${q.window}`}
                  label={`${q.resource} per ${q.window} · ${formatNumber(q.remaining)} left`}
                  used={q.used}
                  limit={q.limit}
                />
              ))
            )}
          </>
        )}
      </QueryView>
    </Section>
  );
}
