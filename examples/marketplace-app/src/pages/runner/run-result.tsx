import Fingerprint from '@mui/icons-material/Fingerprint';
import Hub from '@mui/icons-material/Hub';
import Key from '@mui/icons-material/Key';
import Verified from '@mui/icons-material/Verified';
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Chip,
  Grid,
  List,
  ListItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import type { JsonValue, PluginRunResult } from '../../api/types.js';
import { CopyableDigest } from '../../components/copyable-digest.js';
import { RawDetails, ScrollablePre } from '../../components/raw-details.js';
import { Section } from '../../components/section.js';
import { UsageBar } from '../../components/usage-bar.js';
import { formatBytes, formatMoney, formatNumber } from '../../format/money.js';
import { plural } from '../../format/plural.js';
import { formatTimestamp } from '../../format/time.js';
import { href } from '../../router.js';
import { describeDenial } from './denial.js';
import { summarizeOutput } from './output-summary.js';
import { ReplayAction } from './replay-action.js';

export function DenialAlert({
  code,
  message,
  details,
}: {
  code: string;
  message: string;
  details?: JsonValue | null;
}) {
  const d = describeDenial(code, message, details);
  return (
    <Alert severity={code === 'PLUGIN_ERROR' ? 'error' : 'warning'} role="alert" aria-label="Run denied">
      <AlertTitle>
        {d.title} <code style={{ fontSize: 12, opacity: 0.8 }}>{code}</code>
      </AlertTitle>
      {d.explanation}
      {d.violations.length > 0 ? (
        <Box component="ul" sx={{ m: 0, mt: 1, pl: 2.5 }} aria-label="Contract violations">
          {d.violations.map((v, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: violations may repeat
            <li key={i}>{v}</li>
          ))}
        </Box>
      ) : null}
      {d.facts.length > 0 ? (
        <Box
          component="dl"
          sx={{ m: 0, mt: 1, display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2 }}
        >
          {d.facts.map(([k, v]) => (
            <Box key={k} sx={{ display: 'contents' }}>
              <Typography component="dt" variant="body2" sx={{ fontWeight: 600 }}>
                {k}
              </Typography>
              <Typography component="dd" variant="body2" sx={{ m: 0 }}>
                {v}
              </Typography>
            </Box>
          ))}
        </Box>
      ) : null}
      {details ? <RawDetails label="Technical details" value={details} /> : null}
    </Alert>
  );
}

/** Provenance and citation chips: plugin@version, code digest, scopes used, graph entities touched. */
function ProvenanceChips({ result }: { result: PluginRunResult }) {
  const p = result.provenance;
  if (!p) return null;
  const used = [...new Set(p.hostCalls.map((c) => c.scope))];
  const labels = summarizeOutput(result.value).labels;
  return (
    <Box component="section" aria-label="Provenance">
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }}>
        <Chip
          icon={<Verified />}
          color="primary"
          label={`${p.plugin.id}@${p.plugin.version}`}
          aria-label={`Plugin ${p.plugin.id}@${p.plugin.version}`}
        />
        <Tooltip title={`sha256:${p.plugin.codeSha256}`}>
          <Chip
            icon={<Fingerprint />}
            variant="outlined"
            label={`Code digest sha256:${p.plugin.codeSha256.slice(0, 12)}…`}
            aria-label={`Code digest sha256:${p.plugin.codeSha256}`}
          />
        </Tooltip>
        {(used.length > 0 ? used : p.grantedScopes).map((s) => (
          <Chip
            key={s}
            icon={<Key />}
            variant="outlined"
            color="secondary"
            label={`Scope ${s}`}
            aria-label={`Scope ${s}`}
          />
        ))}
        {p.entities.length === 0 ? (
          <Chip variant="outlined" label="no graph entities touched" />
        ) : (
          p.entities.map((e) => (
            <Chip
              key={e}
              icon={<Hub />}
              variant="outlined"
              label={`Entity ${labels.get(e) ?? e}`}
              aria-label={`Entity ${e}${labels.has(e) ? ` (${labels.get(e)})` : ''}`}
              title={e}
            />
          ))
        )}
      </Stack>
      <Stack
        direction="row"
        spacing={1}
        useFlexGap
        sx={{ mt: 1, alignItems: 'center', flexWrap: 'wrap', color: 'text.secondary' }}
      >
        <Typography variant="caption" component="span">
          Run {p.runId} · {p.outcome} · {formatTimestamp(p.startedAt)} ·{' '}
          {plural(p.hostCalls.length, 'host call')} · input
        </Typography>
        <CopyableDigest label="input digest" digest={p.inputSha256} />
        <Typography variant="caption" component="span">
          · code
        </Typography>
        <CopyableDigest label="code digest" digest={p.plugin.codeSha256} />
      </Stack>
    </Box>
  );
}

/** A finished run: outcome, output, provenance chips, cost, usage against budget, host calls and logs. */
export function RunResult({ result }: { result: PluginRunResult }) {
  const { usage, budgets, cost } = result;
  // Refused before the sandbox started (kill switch, quota…): the reason is all there is to show.
  if (!result.ok && result.error && !result.provenance && !usage && result.logs.length === 0) {
    return (
      <DenialAlert code={result.error.code} message={result.error.message} details={result.error.details} />
    );
  }
  return (
    <Stack spacing={3}>
      {result.ok ? (
        <Alert severity="success" aria-label="Run succeeded">
          The run succeeded{cost ? ` and cost ${formatMoney(cost.amount, cost.currency)}` : ''}.
        </Alert>
      ) : result.error ? (
        <DenialAlert code={result.error.code} message={result.error.message} details={result.error.details} />
      ) : null}
      <Section title="Provenance and citations">
        {result.provenance ? (
          <Stack spacing={2}>
            <ProvenanceChips result={result} />
            <ReplayAction runId={result.provenance.runId} />
            <Box>
              <Button
                size="small"
                href={href(['runner', result.provenance.plugin.id, 'audit'], {
                  run: result.provenance.runId,
                })}
              >
                See this run in the audit log
              </Button>
            </Box>
          </Stack>
        ) : (
          <Typography color="text.secondary">No provenance was recorded for this run.</Typography>
        )}
      </Section>
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section title="Cost">
            {cost ? (
              <>
                <Typography variant="h5" component="p" aria-label="Run cost" sx={{ mb: 1 }}>
                  {formatMoney(cost.amount, cost.currency)}
                </Typography>
                <Table size="small" aria-label="Cost lines">
                  <TableHead>
                    <TableRow>
                      <TableCell>Resource</TableCell>
                      <TableCell align="right">Quantity</TableCell>
                      <TableCell align="right">Amount</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {cost.lines.map((l) => (
                      <TableRow key={l.resource}>
                        <TableCell>{l.resource}</TableCell>
                        <TableCell align="right">{formatNumber(l.quantity, 2)}</TableCell>
                        <TableCell align="right">{formatMoney(l.amount, cost.currency)}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </>
            ) : (
              <Typography color="text.secondary">This run was not billed.</Typography>
            )}
          </Section>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Section title="Usage against budget">
            {usage ? (
              <Box aria-label="Usage against budget" role="group">
                <UsageBar label="Wall time" used={usage.wallMs} limit={budgets?.wallMs ?? null} unit="ms" />
                <UsageBar label="CPU time" used={usage.cpuMs} limit={budgets?.cpuMs ?? null} unit="ms" />
                <UsageBar
                  label="Memory"
                  used={usage.heapBytes / (1024 * 1024)}
                  limit={budgets?.memoryMB ?? null}
                  unit="MB"
                />
                <UsageBar label="Rows" used={usage.rows} limit={budgets?.rows ?? null} />
                <UsageBar
                  label="Output"
                  used={usage.outputBytes / 1024}
                  limit={budgets?.outputKB ?? null}
                  unit="KB"
                />
                <Typography variant="caption" color="text.secondary">
                  Logs: {formatBytes(usage.logBytes)}
                </Typography>
              </Box>
            ) : (
              <Typography color="text.secondary">The run was refused before it started.</Typography>
            )}
          </Section>
        </Grid>
      </Grid>
      <Section title="Output">
        {result.value === null || result.value === undefined ? (
          <Typography color="text.secondary">No output.</Typography>
        ) : (
          <>
            <Typography aria-label="Output summary">{summarizeOutput(result.value).summary}</Typography>
            {summarizeOutput(result.value).items.length > 0 ? (
              <Box component="ul" sx={{ mt: 1, mb: 0, pl: 2.5 }} aria-label="Output items">
                {summarizeOutput(result.value).items.map((line, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: output rows are ordered
                  <li key={i}>{line}</li>
                ))}
              </Box>
            ) : null}
            <Box component="details" sx={{ mt: 1 }}>
              <Typography component="summary" variant="body2" sx={{ cursor: 'pointer', fontWeight: 600 }}>
                Raw output (JSON)
              </Typography>
              <ScrollablePre label="Run output" text={JSON.stringify(result.value, null, 2)} sx={{ mt: 1 }} />
            </Box>
          </>
        )}
      </Section>
      {result.provenance && result.provenance.hostCalls.length > 0 ? (
        <Section title="Host calls">
          <Table size="small" aria-label="Host calls">
            <TableHead>
              <TableRow>
                <TableCell>Scope</TableCell>
                <TableCell>Method</TableCell>
                <TableCell align="right">Rows</TableCell>
                <TableCell align="right">Time</TableCell>
                <TableCell>Result</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {result.provenance.hostCalls.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: calls are an ordered log
                <TableRow key={i}>
                  <TableCell>
                    <code>{c.scope}</code>
                  </TableCell>
                  <TableCell>{c.method}</TableCell>
                  <TableCell align="right">{c.rows}</TableCell>
                  <TableCell align="right">{formatNumber(c.ms, 2)} ms</TableCell>
                  <TableCell>{c.ok ? 'ok' : 'denied'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Section>
      ) : null}
      <Section title="Logs">
        {result.logs.length === 0 ? (
          <Typography color="text.secondary">The plugin logged nothing.</Typography>
        ) : (
          <List
            dense
            aria-label="Captured logs"
            sx={{
              bgcolor: '#1e1e2e',
              color: '#e0e0e0',
              borderRadius: 1,
              fontFamily: 'monospace',
              fontSize: 13,
            }}
          >
            {result.logs.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: log lines are ordered and may repeat
              <ListItem key={i} sx={{ py: 0.25, gap: 1.5, alignItems: 'baseline' }}>
                <Box component="span" sx={{ opacity: 0.6 }}>
                  {formatTimestamp(l.at)}
                </Box>
                <Box
                  component="span"
                  sx={{
                    color: l.level === 'error' ? '#ff8a80' : l.level === 'warn' ? '#ffd180' : '#80cbc4',
                    minWidth: 44,
                  }}
                >
                  {l.level}
                </Box>
                <Box component="span" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                  {l.message}
                </Box>
              </ListItem>
            ))}
          </List>
        )}
      </Section>
    </Stack>
  );
}
