// The request mix, driven by autocannon. Each operation (pluginRun, requestPolicyChange, a ping probe,
// and for the soak: install/uninstall, ingest, export→approve) runs as its own autocannon instance with
// its own connections, all instances at once against the same server. Separate instances give every
// operation its own latency distribution: autocannon's histogram is per instance, and a k6-style
// single-connection sequence (run, then policy change) would mix both latencies in one figure.
// Every response body is parsed and classified: a GraphQL error or an `ok: false` run counts as an
// error with its code, so "accepted" means the server really did the work.

import type { Actor } from '@intelgraph/core';
import autocannon, { type AutocannonClient, type AutocannonRequestStep } from 'autocannon';

/** Per-connection state that survives autocannon's per-cycle context reset. */
export interface ConnectionState {
  /** 0-based index of the connection within its operation. */
  index: number;
  /** Free-form values a step leaves for the next one (for example a review id). */
  values: Record<string, unknown>;
}

/** One request of an operation's per-connection cycle. */
export interface Step {
  name: string;
  actor: (conn: ConnectionState) => Actor;
  /** The GraphQL operation and its variables (returning null skips to the next cycle). */
  build: (conn: ConnectionState) => { query: string; variables?: Record<string, unknown> } | null;
  /** `true` when the response is an accepted result; otherwise the error code to count. */
  accept: (data: Record<string, unknown>, conn: ConnectionState) => true | string;
}

/** An operation: `connections` connections, each cycling through `steps` for the whole duration. */
export interface Operation {
  name: string;
  connections: number;
  steps: Step[];
}

/** What one step saw. */
export interface StepTally {
  responses: number;
  /** Responses where the operation returned a result (no GraphQL error), accepted or not. */
  answered: number;
  accepted: number;
  /** Error code → count (GraphQL `extensions.code`, a run's `error.code`, `HTTP_<status>`…). */
  errors: Record<string, number>;
}

/** What one operation saw. */
export interface OperationResult {
  name: string;
  connections: number;
  durationS: number;
  responses: number;
  throughputRps: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  /** Socket errors and timeouts reported by autocannon. */
  transportErrors: number;
  /** Operations sent but never answered (counted as errors). */
  unanswered: number;
  timeouts: number;
  non2xx: number;
  steps: Record<string, StepTally>;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** The q-quantile (0 < q ≤ 1) of an ascending array, nearest-rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function headersOf(actor: Actor): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-intelgraph-user': actor.userId,
    'x-intelgraph-org': actor.orgId,
    'x-intelgraph-roles': actor.roles.join(','),
  };
}

function count(tally: StepTally, code: string): void {
  tally.errors[code] = (tally.errors[code] ?? 0) + 1;
}

/** The request of a step as the given connection sends it (development identity headers). */
export function stepRequest(
  step: Step,
  conn: ConnectionState,
): { headers: Record<string, string>; body: string } | null {
  const built = step.build(conn);
  return built ? { headers: headersOf(step.actor(conn)), body: JSON.stringify(built) } : null;
}

/**
 * Counts one response in its step's tally: a GraphQL error, a non-2xx status or an unparsable body is an
 * error with its code; otherwise the step's `accept` decides.
 */
export function classifyResponse(
  tally: StepTally,
  step: Step,
  conn: ConnectionState,
  status: number,
  body: string,
): void {
  tally.responses++;
  let parsed: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    count(tally, `HTTP_${status}_UNPARSABLE`);
    return;
  }
  if (parsed.errors && parsed.errors.length > 0) {
    count(tally, parsed.errors[0]?.extensions?.code ?? `HTTP_${status}`);
    return;
  }
  if (status < 200 || status >= 300 || !parsed.data) {
    count(tally, `HTTP_${status}`);
    return;
  }
  tally.answered++;
  const verdict = step.accept(parsed.data, conn);
  if (verdict === true) tally.accepted++;
  else count(tally, verdict);
}

/**
 * Runs one operation for `durationS` seconds, with a graceful stop like k6's: at the deadline no new
 * operation is sent (connections idle on `GET /healthz`, which is not counted) and the instance stops
 * once every operation already sent has been answered, so no accepted request goes unseen.
 */
async function runOperation(url: string, op: Operation, durationS: number): Promise<OperationResult> {
  const tallies: Record<string, StepTally> = Object.fromEntries(
    op.steps.map((s) => [s.name, { responses: 0, answered: 0, accepted: 0, errors: {} }]),
  );
  const latencies: number[] = [];
  let connIndex = 0;
  let inFlight = 0;
  let draining = false;
  const idle = { method: 'GET', path: '/healthz', headers: {}, body: '' };

  type Conn = ConnectionState & { sentAt: number; live: boolean; cycle: boolean };
  const stepsFor = (conn: Conn): AutocannonRequestStep[] =>
    op.steps.map((step, i) => ({
      method: 'POST',
      path: '/graphql',
      setupRequest: (req) => {
        conn.live = false;
        // Draining: no new cycle starts, but a started one finishes (an install gets its uninstall),
        // so the next run starts from a clean state.
        if (i === 0) conn.cycle = !draining;
        if (!conn.cycle) return { ...req, ...idle };
        const built = stepRequest(step, conn);
        if (!built) return null;
        conn.live = true;
        conn.sentAt = performance.now();
        inFlight++;
        return { ...req, method: 'POST', path: '/graphql', ...built };
      },
      onResponse: (status, body) => {
        if (!conn.live) return;
        conn.live = false;
        inFlight--;
        latencies.push(performance.now() - conn.sentAt);
        classifyResponse(tallies[step.name]!, step, conn, status, body);
      },
    }));

  const started = performance.now();
  const instance = autocannon({
    url,
    connections: op.connections,
    // A ceiling only: the instance is stopped by the drain below.
    duration: durationS + 300,
    timeout: 60,
    title: op.name,
    // Every connection gets its own cycle, bound to state that persists across cycles.
    setupClient: (client: AutocannonClient) => {
      client.setRequests(stepsFor({ index: connIndex++, values: {}, sentAt: 0, live: false, cycle: false }));
    },
  });
  const deadline = setTimeout(() => {
    draining = true;
  }, durationS * 1000);
  // An answer that never comes (a timed-out request) must not hold the run open forever.
  const giveUpAt = performance.now() + (durationS + 65) * 1000;
  const drain = setInterval(() => {
    if (draining && (inFlight <= 0 || performance.now() > giveUpAt)) instance.stop();
  }, 20);
  const result = await instance;
  clearTimeout(deadline);
  clearInterval(drain);
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    name: op.name,
    connections: op.connections,
    durationS: Math.round(elapsedS * 10) / 10,
    responses: latencies.length,
    throughputRps: round(latencies.length / Math.max(0.001, Math.min(elapsedS, durationS)), 1),
    latencyMs: {
      p50: round(quantile(latencies, 0.5)),
      p95: round(quantile(latencies, 0.95)),
      p99: round(quantile(latencies, 0.99)),
      mean: round(mean),
      max: round(latencies.at(-1) ?? 0),
    },
    transportErrors: result.errors,
    timeouts: result.timeouts,
    unanswered: Math.max(0, inFlight),
    non2xx: result.non2xx,
    steps: tallies,
  };
}

/** Runs every operation at once for `durationS` seconds; results in the order given. */
export async function runMix(url: string, ops: Operation[], durationS: number): Promise<OperationResult[]> {
  return Promise.all(ops.map((op) => runOperation(url, op, durationS)));
}

/** Total errors of an operation (transport, HTTP and typed errors). */
export function errorCount(r: OperationResult): number {
  const typed = Object.values(r.steps).reduce(
    (n, s) => n + Object.values(s.errors).reduce((a, b) => a + b, 0),
    0,
  );
  return typed + r.transportErrors + r.unanswered;
}
