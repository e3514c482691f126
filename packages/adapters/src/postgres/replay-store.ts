import {
  canonicalJson,
  ERROR_CODES,
  type ErrorCode,
  type HostCallRecord,
  IntelGraphError,
  type ReplayCall,
  type ReplayRecording,
  type ReplayStore,
} from '@intelgraph/core';
import { isRecord } from '../narrow.js';
import type { SqlDatabase } from './sql.js';

interface RunRow {
  run_id: string;
  code_sha256: string;
  input_sha256: string;
  meta: Meta | string;
}
interface CallRow {
  path: string;
  request_sha256: string;
  response_sha256: string;
  record: HostCallRecord | string;
}
type Meta = Omit<ReplayRecording, 'calls' | 'code' | 'input' | 'output'>;

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

const isErrorCode = (v: unknown): v is ErrorCode => ERROR_CODES.some((c) => c === v);

/** Whether a parsed body is a recorded host-call response (extra fields allowed, as recorded). */
function isResponse(v: unknown): v is ReplayCall['response'] {
  if (!isRecord(v)) return false;
  return v.ok === true || (v.ok === false && isErrorCode(v.code) && typeof v.message === 'string');
}

/** Whether a parsed record is a HostCallRecord. */
function isHostCallRecord(v: unknown): v is HostCallRecord {
  return (
    isRecord(v) &&
    typeof v.scope === 'string' &&
    typeof v.method === 'string' &&
    typeof v.rows === 'number' &&
    typeof v.ms === 'number' &&
    typeof v.ok === 'boolean' &&
    (v.error === undefined || isErrorCode(v.error))
  );
}

function hostCallRecord(v: HostCallRecord | string): HostCallRecord {
  if (typeof v !== 'string') return v;
  const parsedRecord: unknown = JSON.parse(v);
  if (isHostCallRecord(parsedRecord)) return parsedRecord;
  throw new IntelGraphError('INTERNAL', 'unexpected stored host-call record');
}

/** A body kept by address, parsed; `undefined` when it is missing (a replay then reports the digest mismatch). */
function parsed(bodies: Map<string, string>, sha: string): unknown {
  const body = bodies.get(sha);
  return body === undefined ? undefined : JSON.parse(body);
}

/**
 * Replay recordings on PostgreSQL or PGlite (migration `replay_0001_recordings`): one row per run, one
 * per host call, and the input, request and response bodies kept once each by the SHA-256 of their
 * canonical JSON (`ig_replay_blobs`), so identical calls across runs cost one body. Bodies are read
 * back as stored: a body altered in the database no longer matches its address, and the host's
 * replay reports that call as the divergence.
 *
 * @example
 * ```ts
 * import { createPgDatabase, createPgReplayStore, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const replays = createPgReplayStore(db);
 * const recording = await replays.get('run_01');
 * ```
 */
export function createPgReplayStore(db: SqlDatabase): ReplayStore {
  return {
    async save(r) {
      const { calls, code, input, output, ...meta } = r;
      const blobs = new Map<string, string>();
      if (r.replayable) {
        blobs.set(r.inputSha256, canonicalJson(input));
        blobs.set(r.outputSha256, canonicalJson(output));
      }
      for (const c of calls) {
        blobs.set(c.requestSha256, canonicalJson({ path: c.path, args: c.args }));
        blobs.set(c.responseSha256, canonicalJson(c.response));
      }
      await db.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO ig_replay_runs (run_id, org_id, plugin_id, code_sha256, input_sha256, meta, replayable, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9) ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
          [
            r.runId,
            r.orgId,
            r.pluginId,
            r.codeSha256,
            r.inputSha256,
            JSON.stringify(meta),
            r.replayable,
            r.createdAt,
            Date.parse(r.expiresAt),
          ],
        );
        if (inserted.rows.length === 0) return;
        if (r.replayable) {
          await tx.query(
            'INSERT INTO ig_replay_code (code_sha256, code) VALUES ($1, $2) ON CONFLICT (code_sha256) DO NOTHING',
            [r.codeSha256, code],
          );
        }
        if (blobs.size > 0) {
          await tx.query(
            `INSERT INTO ig_replay_blobs (sha256, body) SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT (sha256) DO NOTHING`,
            [[...blobs.keys()], [...blobs.values()]],
          );
        }
        if (calls.length > 0) {
          await tx.query(
            `INSERT INTO ig_replay_calls (run_id, seq, path, request_sha256, response_sha256, record)
             SELECT $1, s, p, q, a, r::jsonb FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(s, p, q, a, r)`,
            [
              r.runId,
              calls.map((_, i) => i),
              calls.map((c) => c.path),
              calls.map((c) => c.requestSha256),
              calls.map((c) => c.responseSha256),
              calls.map((c) => JSON.stringify(c.record)),
            ],
          );
        }
      });
    },

    async get(runId) {
      const { rows } = await db.query<RunRow>(
        'SELECT run_id, code_sha256, input_sha256, meta FROM ig_replay_runs WHERE run_id = $1',
        [runId],
      );
      const run = rows[0];
      if (!run) return null;
      const meta = json<Meta>(run.meta);
      const calls = (
        await db.query<CallRow>(
          'SELECT path, request_sha256, response_sha256, record FROM ig_replay_calls WHERE run_id = $1 ORDER BY seq',
          [runId],
        )
      ).rows;
      const shas = [
        run.input_sha256,
        meta.outputSha256,
        ...calls.flatMap((c) => [c.request_sha256, c.response_sha256]),
      ];
      const bodies = new Map(
        (
          await db.query<{ sha256: string; body: string }>(
            'SELECT sha256, body FROM ig_replay_blobs WHERE sha256 = ANY($1::text[])',
            [[...new Set(shas)]],
          )
        ).rows.map((b) => [b.sha256, b.body] as const),
      );
      const code = (
        await db.query<{ code: string }>('SELECT code FROM ig_replay_code WHERE code_sha256 = $1', [
          run.code_sha256,
        ])
      ).rows[0]?.code;
      const replayCalls: ReplayCall[] = calls.map((c) => {
        const request = parsed(bodies, c.request_sha256);
        const response = parsed(bodies, c.response_sha256);
        return {
          path: c.path,
          args: isRecord(request) ? request.args : undefined,
          requestSha256: c.request_sha256,
          response: isResponse(response)
            ? response
            : {
                ok: false,
                code: 'INTERNAL',
                message:
                  response === undefined
                    ? 'the recorded response is missing'
                    : 'the recorded response is malformed',
              },
          responseSha256: c.response_sha256,
          record: hostCallRecord(c.record),
        };
      });
      return {
        ...meta,
        code: code ?? '',
        input: parsed(bodies, run.input_sha256) ?? null,
        output: parsed(bodies, meta.outputSha256) ?? null,
        calls: replayCalls,
      };
    },

    async purgeExpired(now) {
      const at = Date.parse(now);
      return db.transaction(async (tx) => {
        const r = await tx.query('DELETE FROM ig_replay_runs WHERE expires_at < $1 RETURNING run_id', [at]);
        // Bodies and code no recording refers to any more.
        await tx.query(
          `DELETE FROM ig_replay_blobs b WHERE NOT EXISTS (SELECT 1 FROM ig_replay_calls c WHERE c.request_sha256 = b.sha256 OR c.response_sha256 = b.sha256)
             AND NOT EXISTS (SELECT 1 FROM ig_replay_runs r WHERE r.input_sha256 = b.sha256 OR r.meta->>'outputSha256' = b.sha256)`,
        );
        await tx.query(
          'DELETE FROM ig_replay_code k WHERE NOT EXISTS (SELECT 1 FROM ig_replay_runs r WHERE r.code_sha256 = k.code_sha256)',
        );
        return r.rows.length;
      });
    },
  };
}
