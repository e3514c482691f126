// CPU time per process group, read from /proc (Linux): the server, PostgreSQL, Redis, Neo4j and the
// load generator itself, so a benchmark can state the CPU each response cost in every process.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU milliseconds (user + system) per group. */
export type CpuByGroup = Record<string, number>;

const TICK_MS = 10; // USER_HZ = 100 on Linux

function cpuOf(pid: string): { comm: string; cmdline: string; ms: number; reapedMs: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    // cutime + cstime: children that exited and were reaped (a sandbox worker replaced mid-step).
    const reapedMs = (Number(fields[13]) + Number(fields[14])) * TICK_MS;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { comm, cmdline, ms, reapedMs };
  } catch {
    return null; // the process ended between listing and reading
  }
}

/**
 * CPU ms so far of: each server pid given (`server`, summed over them; their sandbox worker children are
 * counted when their parent pid is a server, and once exited and reaped through the server's cutime), `postgres`, `redis`, `neo4j`, `haproxy` and this process
 * (`generator`). Groups of processes that exited between two readings under-count; the benchmarks read
 * before and after each step, while the processes live.
 */
export function cpuByGroup(serverPids: readonly number[]): CpuByGroup {
  const out: CpuByGroup = { server: 0, postgres: 0, redis: 0, neo4j: 0, haproxy: 0, generator: 0 };
  const servers = new Set(serverPids.map(String));
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    const p = cpuOf(pid);
    if (!p) continue;
    let ppid = '';
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '';
    } catch {}
    // A server's live workers are counted by their parent pid, its exited ones through its cutime.
    if (servers.has(pid)) out.server = (out.server ?? 0) + p.ms + p.reapedMs;
    else if (servers.has(ppid)) out.server = (out.server ?? 0) + p.ms;
    else if (p.comm === 'postgres' || p.cmdline.startsWith('postgres:'))
      out.postgres = (out.postgres ?? 0) + p.ms;
    else if (p.comm === 'redis-server') out.redis = (out.redis ?? 0) + p.ms;
    else if (p.cmdline.includes('neo4j-test-server')) out.neo4j = (out.neo4j ?? 0) + p.ms;
    else if (p.comm === 'haproxy') out.haproxy = (out.haproxy ?? 0) + p.ms;
  }
  const self = process.cpuUsage();
  out.generator = Math.round((self.user + self.system) / 1000);
  return out;
}

/** `after - before` per group. */
export function cpuDelta(before: CpuByGroup, after: CpuByGroup): CpuByGroup {
  return Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
}
