// An open-loop load generator: iterations start on a fixed schedule (a constant arrival rate, as k6's
// `constant-arrival-rate` executor or wrk2 do), whether or not earlier ones have been answered. Each
// request's latency is measured from the time its iteration was SCHEDULED to start, not from when it was
// sent, so a stalled server cannot hide its stall by slowing the generator down (no coordinated
// omission). An iteration that cannot start because `maxInFlight` iterations are still open is counted
// as dropped (k6's `dropped_iterations`), and so is any request still unanswered at the end.
import { Agent, request } from 'node:http';
import {
  type ConnectionState,
  classifyResponse,
  type OperationResult,
  quantile,
  type Step,
  type StepTally,
  stepRequest,
} from './mix.js';

/** Options of {@link runOpenLoop}. */
export interface OpenLoopOptions {
  /** Iterations started per second. */
  rate: number;
  durationS: number;
  /** Iterations open at once before new ones are dropped (default 4,000). */
  maxInFlight?: number;
  /** Seconds to wait for the last answers after the schedule ends (default 30). */
  drainS?: number;
}

/** What one open-loop step saw: one OperationResult per step, plus the schedule's own figures. */
export interface OpenLoopResult {
  rate: number;
  durationS: number;
  scheduled: number;
  /** Iterations that could not start (too many open) plus requests never answered. */
  dropped: number;
  /** Iterations completed per second of schedule. */
  achievedRate: number;
  /** Worst lateness of the generator itself in starting an iteration (ms); large values void the run. */
  maxStartLagMs: number;
  operations: OperationResult[];
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * Runs every step of `steps` once per iteration, all steps of an iteration at once, `rate` iterations a
 * second for `durationS` seconds, over keep-alive HTTP/1.1 connections to `url`'s `/graphql`.
 */
export async function runOpenLoop(
  url: string,
  steps: Step[],
  options: OpenLoopOptions,
): Promise<OpenLoopResult> {
  const target = new URL('/graphql', url);
  const maxInFlight = options.maxInFlight ?? 4_000;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight, scheduling: 'lifo' });
  const tallies = new Map<string, StepTally>(
    steps.map((s) => [s.name, { responses: 0, answered: 0, accepted: 0, errors: {} }]),
  );
  const latencies = new Map<string, number[]>(steps.map((s) => [s.name, []]));
  const unanswered = new Map<string, number>(steps.map((s) => [s.name, 0]));
  const transport = new Map<string, number>(steps.map((s) => [s.name, 0]));
  const scheduled = Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  let open = 0;
  let dropped = 0;
  let completed = 0;
  let maxStartLagMs = 0;
  const pending = new Set<Promise<void>>();

  const send = (step: Step, conn: ConnectionState, intendedAt: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const built = stepRequest(step, conn);
      if (!built) return resolve();
      const name = step.name;
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...built.headers, 'content-length': Buffer.byteLength(built.body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.get(name)!.push(performance.now() - intendedAt);
            classifyResponse(
              tallies.get(name)!,
              step,
              conn,
              res.statusCode ?? 0,
              Buffer.concat(chunks).toString(),
            );
            resolve();
          });
          res.on('error', () => {
            transport.set(name, transport.get(name)! + 1);
            resolve();
          });
        },
      );
      req.on('error', () => {
        transport.set(name, transport.get(name)! + 1);
        resolve();
      });
      req.end(built.body);
    });

  const startIteration = (i: number, intendedAt: number) => {
    if (open >= maxInFlight) {
      dropped++;
      return;
    }
    open++;
    const conn: ConnectionState = { index: i, values: {} };
    const p = Promise.all(steps.map((s) => send(s, conn, intendedAt))).then(() => {
      open--;
      completed++;
      pending.delete(p);
    });
    pending.add(p);
  };

  const t0 = performance.now() + 20;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < scheduled && t0 + next * intervalMs <= now) {
        const intendedAt = t0 + next * intervalMs;
        maxStartLagMs = Math.max(maxStartLagMs, now - intendedAt);
        startIteration(next, intendedAt);
        next++;
      }
      if (next >= scheduled) return resolve();
      setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
    };
    tick();
  });
  const drainUntil = performance.now() + (options.drainS ?? 30) * 1000;
  while (pending.size > 0 && performance.now() < drainUntil) {
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 200))]);
  }
  for (const s of steps) unanswered.set(s.name, pending.size);
  dropped += pending.size;
  agent.destroy();

  const operations: OperationResult[] = steps.map((s) => {
    const l = latencies.get(s.name)!.sort((a, b) => a - b);
    const mean = l.reduce((a, b) => a + b, 0) / Math.max(1, l.length);
    return {
      name: s.name,
      connections: 0,
      durationS: options.durationS,
      responses: l.length,
      throughputRps: round(l.length / options.durationS, 1),
      latencyMs: {
        p50: round(quantile(l, 0.5)),
        p95: round(quantile(l, 0.95)),
        p99: round(quantile(l, 0.99)),
        mean: round(mean),
        max: round(l.at(-1) ?? 0),
      },
      transportErrors: transport.get(s.name)!,
      timeouts: 0,
      unanswered: unanswered.get(s.name)!,
      non2xx: 0,
      steps: { [s.name]: tallies.get(s.name)! },
    };
  });
  return {
    rate: options.rate,
    durationS: options.durationS,
    scheduled,
    dropped,
    achievedRate: round(completed / options.durationS, 1),
    maxStartLagMs: round(maxStartLagMs),
    operations,
  };
}
