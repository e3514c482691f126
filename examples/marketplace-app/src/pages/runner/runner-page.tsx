import PlayArrow from '@mui/icons-material/PlayArrow';
import {
  Alert,
  Box,
  Button,
  Grid,
  Stack,
  Tab,
  Tabs,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks.js';
import { KILL_SWITCHES } from '../../api/operations/finops.js';
import { INSTALLATIONS, PLUGIN } from '../../api/operations/marketplace.js';
import { HINT, PLUGIN_RUN } from '../../api/operations/runner.js';
import type { JsonValue, KillSwitch, PluginDetail } from '../../api/types.js';
import { JsonEditor, parseJson } from '../../components/json-editor.js';
import { PageHeader } from '../../components/page-header.js';
import { Section } from '../../components/section.js';
import { EmptyState, ErrorState, LoadingState, QueryView } from '../../components/state-views.js';
import { formatTimestamp } from '../../format/time.js';
import { href, navigate } from '../../router.js';
import { BudgetPreview } from './budget-preview.js';
import { PluginAuditLog } from './plugin-audit-log.js';
import { RunProgress } from './run-progress.js';
import { DenialAlert, RunResult } from './run-result.js';
import { buildInput, exampleInput, type FormValues, fieldsFromSchema, initialValues } from './schema-form.js';
import { SchemaFormFields } from './schema-form-fields.js';

/** The engaged kill switch that stops this plugin for the org, if any (global first, as the host checks). */
export function blockingSwitch(switches: readonly KillSwitch[], pluginId: string): KillSwitch | null {
  const on = switches.filter((s) => s.on);
  return (
    on.find((s) => s.scope === 'global') ??
    on.find((s) => s.scope === 'org') ??
    on.find((s) => s.scope === 'plugin' && s.target === pluginId) ??
    null
  );
}

function KillSwitchNotice({ pluginId, refreshKey }: { pluginId: string; refreshKey: number }) {
  const switches = useQuery(KILL_SWITCHES, {}, { refreshKey });
  const s = blockingSwitch(switches.data?.killSwitches ?? [], pluginId);
  if (!s) return null;
  const what =
    s.scope === 'global' ? 'every plugin' : s.scope === 'org' ? `every plugin in org ${s.target}` : pluginId;
  return (
    <Alert severity="warning" role="status" aria-label="Kill switch on" sx={{ mb: 2 }}>
      <strong>Kill switch on:</strong> {what} was switched off by {s.actor ?? 'an admin'}
      {s.at ? ` on ${formatTimestamp(s.at)}` : ''}
      {s.reason ? ` (“${s.reason}”)` : ''}. Runs are refused until an admin switches it back on in{' '}
      <a href={href(['finops'])}>FinOps</a>.
    </Alert>
  );
}

function RunPanel({ plugin }: { plugin: PluginDetail }) {
  const fields = useMemo(() => fieldsFromSchema(plugin.inputSchema), [plugin.inputSchema]);
  const [mode, setMode] = useState<'form' | 'json'>(fields ? 'form' : 'json');
  const [values, setValues] = useState<FormValues>(() =>
    fields ? initialValues(plugin.inputSchema, fields) : {},
  );
  const [json, setJson] = useState(() => exampleInput(plugin.inputSchema));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const hint = useQuery(HINT, { pluginId: plugin.id });
  const [runs, setRuns] = useState(0);
  const run = useMutation(PLUGIN_RUN);

  function currentInput(): JsonValue | undefined {
    if (mode === 'form' && fields) {
      const built = buildInput(fields, values);
      if (!built.ok) {
        setErrors(built.errors);
        return undefined;
      }
      setErrors({});
      return built.value;
    }
    const parsed = parseJson(json);
    return parsed.ok ? parsed.value : undefined;
  }

  async function start() {
    const input = currentInput();
    if (input === undefined) return;
    setStartedAt(Date.now());
    await run.run({ id: plugin.id, input });
    setStartedAt(null);
    hint.refetch();
    setRuns((n) => n + 1);
  }

  function switchMode(next: 'form' | 'json') {
    if (next === 'json' && fields) {
      const built = buildInput(
        fields.map((f) => ({ ...f, required: false })),
        values,
      );
      if (built.ok) setJson(JSON.stringify(built.value, null, 2));
    }
    setMode(next);
  }

  const jsonInvalid = mode === 'json' && !parseJson(json).ok;
  const result = run.data?.pluginRun;
  const expectedMs = hint.data?.hint.wallMsP95 ?? null;

  return (
    <Grid container spacing={3}>
      <Grid size={{ xs: 12, lg: 5 }}>
        <Stack spacing={3}>
          <Section
            title="Input"
            actions={
              fields ? (
                <ToggleButtonGroup
                  size="small"
                  exclusive
                  value={mode}
                  onChange={(_, v: 'form' | 'json' | null) => v && switchMode(v)}
                  aria-label="Input editor"
                >
                  <ToggleButton value="form">Form</ToggleButton>
                  <ToggleButton value="json">JSON</ToggleButton>
                </ToggleButtonGroup>
              ) : undefined
            }
          >
            <KillSwitchNotice pluginId={plugin.id} refreshKey={runs} />
            <Box
              component="form"
              aria-label={`Input for ${plugin.name}`}
              onSubmit={(e) => {
                e.preventDefault();
                void start();
              }}
            >
              {!fields ? (
                <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
                  {plugin.inputSchema
                    ? 'This input contract is richer than a form can show; edit the JSON directly.'
                    : 'This plugin publishes no input contract; any JSON object is passed as is.'}
                </Typography>
              ) : null}
              {mode === 'form' && fields ? (
                <SchemaFormFields
                  fields={fields}
                  values={values}
                  errors={errors}
                  onChange={(name, v) => setValues((prev) => ({ ...prev, [name]: v }))}
                />
              ) : (
                <JsonEditor label="Input JSON" value={json} onChange={setJson} minRows={8} />
              )}
              <Button
                type="submit"
                variant="contained"
                size="large"
                startIcon={<PlayArrow />}
                disabled={run.loading || jsonInvalid}
                sx={{ mt: 2 }}
              >
                Run {plugin.name}
              </Button>
            </Box>
            {run.loading && startedAt !== null ? (
              <RunProgress startedAt={startedAt} expectedMs={expectedMs} />
            ) : null}
          </Section>
          <BudgetPreview hint={hint} />
        </Stack>
      </Grid>
      <Grid size={{ xs: 12, lg: 7 }}>
        <Box component="section" aria-label="Run result">
          {run.error ? (
            <DenialAlert
              code={run.error.code}
              message={run.error.message}
              details={run.error.details as JsonValue}
            />
          ) : result ? (
            <RunResult result={result} />
          ) : run.loading ? (
            <LoadingState label="Waiting for the sandbox" />
          ) : (
            <EmptyState title="No run yet">
              Fill in the input and press Run. The output, logs, cost and provenance appear here.
            </EmptyState>
          )}
        </Box>
      </Grid>
    </Grid>
  );
}

/**
 * Runs an installed plugin with an input generated from its contract, and shows what happened; its
 * second tab is the plugin's audit log, with Replay on each recorded run (`focusRun` is brought into view).
 */
export function RunnerPage({
  pluginId,
  tab = 'run',
  focusRun = null,
}: {
  pluginId: string | null;
  tab?: 'run' | 'audit';
  focusRun?: string | null;
}) {
  const installs = useQuery(INSTALLATIONS, {});
  const list = installs.data?.installations;
  useEffect(() => {
    const first = list?.[0];
    if (!pluginId && first) navigate(href(['runner', first.pluginId]));
  }, [pluginId, list]);

  return (
    <>
      <PageHeader
        title="Plugin runner"
        subtitle="Each run is sandboxed, budgeted, metered and recorded with its provenance."
        actions={
          list && list.length > 0 ? (
            <TextField
              select
              size="small"
              label="Plugin"
              value={pluginId ?? ''}
              onChange={(e) =>
                navigate(
                  href(tab === 'audit' ? ['runner', e.target.value, 'audit'] : ['runner', e.target.value]),
                )
              }
              slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
              sx={{ minWidth: 240, bgcolor: 'background.paper' }}
            >
              {pluginId && !list.some((i) => i.pluginId === pluginId) ? (
                <option value={pluginId}>{pluginId} (not installed)</option>
              ) : null}
              {list.map((i) => (
                <option key={i.pluginId} value={i.pluginId}>
                  {i.pluginId}@{i.version}
                </option>
              ))}
            </TextField>
          ) : undefined
        }
      />
      {installs.error ? (
        <ErrorState
          error={installs.error}
          title="Could not load the installed plugins"
          onRetry={installs.refetch}
        />
      ) : !list ? (
        <LoadingState label="Loading installed plugins" />
      ) : list.length === 0 && !pluginId ? (
        <EmptyState
          title="Install a plugin to run it"
          action={
            <Button variant="contained" href={href(['marketplace'])}>
              Browse the marketplace
            </Button>
          }
        />
      ) : pluginId ? (
        <>
          <Box sx={{ mb: 3, borderBottom: 1, borderColor: 'divider' }}>
            <Tabs value={tab} aria-label={`${pluginId} views`}>
              <Tab value="run" component="a" href={href(['runner', pluginId])} label="Run" />
              <Tab value="audit" component="a" href={href(['runner', pluginId, 'audit'])} label="Audit log" />
            </Tabs>
          </Box>
          {tab === 'audit' ? (
            <PluginAuditLog pluginId={pluginId} focusRun={focusRun} />
          ) : (
            <RunTab pluginId={pluginId} installed={list.some((i) => i.pluginId === pluginId)} />
          )}
        </>
      ) : (
        <LoadingState label="Opening the first installed plugin" />
      )}
    </>
  );
}

/** The run tab: a note when the plugin is not installed, then the input form and the result. */
function RunTab({ pluginId, installed }: { pluginId: string; installed: boolean }) {
  const plugin = useQuery(PLUGIN, { id: pluginId });
  return (
    <>
      {!installed ? (
        <Alert severity="info" sx={{ mb: 2 }}>
          {pluginId} is not installed in your org, so a run will be refused.{' '}
          <a href={href(['plugins', pluginId])}>Install it</a>.
        </Alert>
      ) : null}
      <QueryView
        state={plugin}
        loadingLabel="Loading the plugin"
        isEmpty={(d) => d.plugin === null}
        empty={<EmptyState title={`No plugin “${pluginId}” in the catalog`} />}
      >
        {(d) => (d.plugin ? <RunPanel key={d.plugin.id} plugin={d.plugin} /> : null)}
      </QueryView>
    </>
  );
}
