import AutoFixHigh from '@mui/icons-material/AutoFixHigh';
import CloudUpload from '@mui/icons-material/CloudUpload';
import FactCheck from '@mui/icons-material/FactCheck';
import Input from '@mui/icons-material/Input';
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Chip,
  LinearProgress,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { ApiError } from '../../api/client.js';
import { useApiClient, useMutation } from '../../api/hooks.js';
import { CONTRACT_APPLY_PATCH, CONTRACT_TEST, INGEST } from '../../api/operations/contracts.js';
import type { ContractSubject, JsonValue, RecordResult } from '../../api/types.js';
import { FileButton } from '../../components/file-button.js';
import { JsonEditor } from '../../components/json-editor.js';
import { type Highlight, SideBySide } from '../../components/side-by-side.js';
import { ErrorState } from '../../components/state-views.js';
import { changedPointers, toPointer } from '../../format/json-lines.js';
import { messageAfterPath, plural } from '../../format/plural.js';
import { href } from '../../router.js';
import { formatSamples, parseSamples } from './samples.js';
import { summarizeTest } from './test-summary.js';

function PatchTable({ record }: { record: RecordResult }) {
  return (
    <Table size="small" aria-label={`Suggested patch for record ${record.index + 1}`}>
      <TableHead>
        <TableRow>
          <TableCell>Operation</TableCell>
          <TableCell>Path</TableCell>
          <TableCell>Value</TableCell>
          <TableCell>Why</TableCell>
          <TableCell align="right">Confidence</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {record.patch.map((op, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a patch is an ordered list
          <TableRow key={i}>
            <TableCell>
              <Chip size="small" label={op.op} />
            </TableCell>
            <TableCell>
              <code>
                {op.from ? `${op.from} → ` : ''}
                {op.path}
              </code>
            </TableCell>
            <TableCell>
              <code>{op.value === undefined || op.value === null ? '' : JSON.stringify(op.value)}</code>
            </TableCell>
            <TableCell>{op.reason}</TableCell>
            <TableCell align="right">{Math.round(op.confidence * 100)}%</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function FailingRecord({
  record,
  original,
  applying,
  onApply,
}: {
  record: RecordResult;
  original: JsonValue;
  applying: boolean;
  onApply: () => void;
}) {
  const errorMarks = record.errors.map((e) => ({ path: toPointer(e.path), kind: 'removed' as Highlight }));
  const patched = record.patched;
  const patchMarks =
    patched !== null && patched !== undefined
      ? changedPointers(original, patched).map((p) => ({ path: p, kind: 'added' as Highlight }))
      : [];
  return (
    <Paper
      variant="outlined"
      component="article"
      aria-label={`Record ${record.index + 1} fails`}
      sx={{ p: 2, borderColor: 'error.light' }}
    >
      <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', mb: 1 }}>
        <Typography variant="subtitle1" component="h4" sx={{ fontWeight: 600 }}>
          Record {record.index + 1}: {plural(record.errors.length, 'violation')}
        </Typography>
        {record.patch.length > 0 ? (
          <Button
            variant="contained"
            color="secondary"
            startIcon={<AutoFixHigh />}
            disabled={applying}
            onClick={onApply}
            aria-label={`Apply patch to record ${record.index + 1}`}
          >
            Apply patch
          </Button>
        ) : null}
      </Stack>
      <Box
        component="ul"
        sx={{ m: 0, mb: 2, pl: 2.5 }}
        aria-label={`Violations of record ${record.index + 1}`}
      >
        {record.errors.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: errors may repeat a path
          <li key={i}>
            <code>{e.path || '/'}</code> {messageAfterPath(e.path, e.message)}{' '}
            <Typography variant="caption" color="text.secondary">
              ({e.code})
            </Typography>
          </li>
        ))}
      </Box>
      {record.patch.length > 0 ? (
        <>
          <Typography variant="subtitle2" component="h5" sx={{ mb: 1 }}>
            Suggested mapping patch (RFC 6902){' '}
            {record.patchValid === true ? (
              <Chip size="small" color="success" label="fixes the record" />
            ) : record.patchValid === false ? (
              <Chip size="small" color="warning" label="partial fix" />
            ) : null}
          </Typography>
          <PatchTable record={record} />
          {patched !== null && patched !== undefined ? (
            <Box sx={{ mt: 2 }}>
              <SideBySide
                left={{ title: 'Record as sent', value: original, marks: errorMarks }}
                right={{ title: 'Record with the patch', value: patched, marks: patchMarks }}
              />
            </Box>
          ) : null}
        </>
      ) : (
        <Alert severity="info">No mapping patch could be suggested; fix the record by hand.</Alert>
      )}
    </Paper>
  );
}

/**
 * The contract test runner: paste or upload samples, see which records fail and the suggested mapping
 * patch, apply it and re-test, then ingest the batch.
 */
export function TestRunner({ subject, onIngested }: { subject: ContractSubject; onIngested?: () => void }) {
  const client = useApiClient();
  const versions = subject.versions.map((v) => v.version).sort((a, b) => b - a);
  const [version, setVersion] = useState<number>(subject.latest.version);
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [tested, setTested] = useState<{ records: JsonValue[]; version: number } | null>(null);
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<ApiError | null>(null);
  const test = useMutation(CONTRACT_TEST);
  const ingest = useMutation(INGEST);
  const parsed = parseSamples(text);

  async function runTests(records: JsonValue[]) {
    ingest.reset();
    const res = await test.run({ subject: subject.subject, version, records });
    if (res) setTested({ records, version });
  }

  async function applyPatches(targets: RecordResult[]) {
    if (!tested) return;
    setApplying(true);
    setApplyError(null);
    const records = [...tested.records];
    try {
      for (const r of targets) {
        const res = await client.request(CONTRACT_APPLY_PATCH, {
          subject: subject.subject,
          version: tested.version,
          record: records[r.index] ?? null,
          patch: r.patch.map((op) => ({ op: op.op, path: op.path, from: op.from, value: op.value })),
        });
        const patched = res.contractApplyPatch.patched;
        if (patched !== null && patched !== undefined) records[r.index] = patched;
      }
      setText(formatSamples(records));
      await runTests(records);
    } catch (err) {
      setApplyError(err instanceof ApiError ? err : new ApiError('INTERNAL', String(err)));
    } finally {
      setApplying(false);
    }
  }

  async function onUpload(file: File | undefined) {
    if (!file) return;
    setFileName(file.name);
    const content = await file.text();
    setText(content);
    const samples = parseSamples(content);
    if (samples.ok) await runTests(samples.records);
  }

  const result = test.data?.contractTest;
  const summary =
    result && tested
      ? summarizeTest(tested.records.length, result.records, subject.subject, result.version)
      : null;
  const failing = summary?.failing ?? [];
  const patchable = failing.filter((r) => r.patch.length > 0);
  const ingested = ingest.data?.ingest;

  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
        <TextField
          select
          size="small"
          label="Test against version"
          value={String(version)}
          onChange={(e) => setVersion(Number(e.target.value))}
          slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
          sx={{ minWidth: 180 }}
        >
          {versions.map((v) => (
            <option key={v} value={v}>
              v{v}
              {v === subject.latest.version ? ' (latest)' : ''}
            </option>
          ))}
        </TextField>
        <FileButton
          label="Upload samples"
          variant="outlined"
          accept=".json,.ndjson,.jsonl,application/json"
          startIcon={<CloudUpload />}
          onFiles={(files) => void onUpload(files[0])}
        />
        {fileName ? (
          <Typography variant="body2" color="text.secondary">
            Loaded {fileName}
          </Typography>
        ) : null}
      </Stack>
      <JsonEditor
        label="Sample records"
        value={text}
        onChange={(t) => {
          setText(t);
          setFileName(null);
        }}
        minRows={6}
        helperText="A JSON array of records, one record, or NDJSON."
      />
      <Stack direction="row" spacing={1}>
        <Button
          variant="contained"
          startIcon={<FactCheck />}
          disabled={!parsed.ok || test.loading || applying}
          onClick={() => parsed.ok && runTests(parsed.records)}
        >
          {result ? 'Re-run contract tests' : 'Run contract tests'}
        </Button>
        {patchable.length > 1 ? (
          <Button
            variant="outlined"
            color="secondary"
            startIcon={<AutoFixHigh />}
            disabled={applying || test.loading}
            onClick={() => applyPatches(patchable)}
          >
            Apply all {patchable.length} patches
          </Button>
        ) : null}
      </Stack>
      {test.loading || applying ? (
        <LinearProgress aria-label={applying ? 'Applying the patch' : 'Testing'} />
      ) : null}
      {test.error ? <ErrorState error={test.error} title="The contract test could not run" /> : null}
      {applyError ? <ErrorState error={applyError} title="The patch could not be applied" /> : null}
      {result && summary ? (
        <Box component="section" aria-label="Contract test results">
          <Alert severity={result.ok ? 'success' : 'error'} sx={{ mb: 2 }} aria-label="Contract test verdict">
            <AlertTitle>{result.ok ? 'Contract tests pass' : 'Contract tests fail'}</AlertTitle>
            {summary.line}
          </Alert>
          {summary.warned.length > 0 ? (
            <Alert severity="warning" sx={{ mb: 2 }} aria-label="Contract test warnings">
              <AlertTitle>
                {plural(
                  summary.warned.reduce((n, w) => n + w.warnings.length, 0),
                  'warning',
                )}
              </AlertTitle>
              <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
                {summary.warned.flatMap((w) =>
                  w.warnings.map((x, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: warnings may repeat a path
                    <li key={`${w.index}-${i}`}>
                      Record {w.index + 1}: <code>{x.path || '/'}</code> {messageAfterPath(x.path, x.message)}
                    </li>
                  )),
                )}
              </Box>
            </Alert>
          ) : null}
          <Stack spacing={2}>
            {failing.map((r) => (
              <FailingRecord
                key={r.index}
                record={r}
                original={tested?.records[r.index] ?? null}
                applying={applying || test.loading}
                onApply={() => applyPatches([r])}
              />
            ))}
          </Stack>
          {result.ok ? (
            <Stack direction="row" spacing={2} sx={{ mt: 2, alignItems: 'center' }}>
              <Button
                variant="contained"
                color="success"
                startIcon={<Input />}
                disabled={ingest.loading || Boolean(ingested)}
                onClick={async () => {
                  if (!tested) return;
                  const res = await ingest.run({ subject: subject.subject, batch: tested.records });
                  if (res) onIngested?.();
                }}
              >
                Ingest {plural(summary.total, 'record')}
              </Button>
              <Typography variant="body2" color="text.secondary">
                Ingest checks the batch again under the subject's enforcement.
              </Typography>
            </Stack>
          ) : null}
        </Box>
      ) : null}
      {ingest.loading ? <LinearProgress aria-label="Ingesting" /> : null}
      {ingest.error ? <ErrorState error={ingest.error} title="The ingest was refused" /> : null}
      {ingested ? (
        <Alert
          severity={
            ingested.status === 'accepted'
              ? 'success'
              : ingested.status === 'pending_review'
                ? 'info'
                : 'error'
          }
          aria-label="Ingest result"
        >
          <AlertTitle>
            {ingested.status === 'accepted'
              ? 'Ingest succeeded'
              : ingested.status === 'pending_review'
                ? 'Ingest waits for review'
                : 'Ingest rejected'}
          </AlertTitle>
          {ingested.accepted} accepted, {ingested.rejected} rejected.
          {ingested.reviewTask ? (
            <>
              {' '}
              Review task <a href={href(['governance', 'requests'])}>{ingested.reviewTask.id}</a>.
            </>
          ) : null}
        </Alert>
      ) : null}
    </Stack>
  );
}
