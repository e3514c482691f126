import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { BridgeCallResult, EngineBridge, EngineJob } from './engine.js';
import { ProcessPool, workerLaunch } from './process-pool.js';

const limits = {
  wallMs: 5000,
  cpuMs: 5000,
  memoryMB: 32,
  rows: 100,
  outputBytes: 65536,
  logBytes: 65536,
  maxHostCalls: 10,
  maxConcurrentCalls: 4,
  maxLogEntries: 100,
  maxValueBytes: 65536,
};
const job = (code: string, sha: string, n: number): EngineJob => ({
  code,
  codeSha256: sha.repeat(64),
  filename: 'plugin:probe@1.0.0',
  inputJson: JSON.stringify({ n }),
  seed: '0'.repeat(32),
  clockOrigin: 0,
  methods: ['graph.search'],
  limits,
});
const calls: string[] = [];
const bridge: EngineBridge = {
  log: () => {},
  call: async (path, argsJson): Promise<BridgeCallResult> => {
    calls.push(`${path} ${argsJson}`);
    return { ok: true, json: '[1,2]', rows: 2 };
  },
};

// One worker that keeps a single code: the second code pushes the first out.
const pool = new ProcessPool({ processes: 1, poolSize: 1, graceMs: 1000, workerCodes: 1 });
afterAll(() => pool.close());

describe('ProcessPool', () => {
  it('sends code once per worker, and again when the worker has dropped it', async () => {
    const a =
      'export async function run(i, api) { return (await api.graph.search({ n: i.n })).length + i.n; }';
    const b = 'module.exports.run = async (i) => i.n * 10';
    expect((await pool.run(job(a, 'a', 1), bridge)).outputJson).toBe('3');
    expect((await pool.run(job(a, 'a', 2), bridge)).outputJson).toBe('4'); // digest only
    expect((await pool.run(job(b, 'b', 3), bridge)).outputJson).toBe('30'); // the worker drops a
    expect((await pool.run(job(a, 'a', 4), bridge)).outputJson).toBe('6'); // asked for again
    expect(calls).toEqual(['graph.search {"n":1}', 'graph.search {"n":2}', 'graph.search {"n":4}']);
    expect(pool.workersStarted()).toBe(1);
  });

  it('starts workers under the permission model: no writes, no child processes, no workers, narrow reads', () => {
    const launch = workerLaunch();
    expect(launch.execArgv).toContain('--permission');
    expect(launch.execArgv.some((a) => /^--allow-(fs-write|child-process|worker|wasi)/.test(a))).toBe(false);
    // The same flags, an empty environment, and probes of what a compromised worker could try.
    const probe = `
      const out = {};
      const attempt = (name, fn) => { try { fn(); out[name] = 'allowed'; } catch (e) { out[name] = e.code || e.message; } };
      attempt('write', () => require('node:fs').writeFileSync(require('node:os').tmpdir() + '/ig-probe', 'x'));
      attempt('spawn', () => require('node:child_process').spawnSync('true'));
      attempt('worker', () => new (require('node:worker_threads').Worker)('0', { eval: true }));
      attempt('readSecrets', () => require('node:fs').readFileSync('/etc/passwd'));
      attempt('readIsolatedVm', () => require('node:fs').statSync(${JSON.stringify(launch.reads[0])}));
      out.env = Object.keys(process.env);
      out.fsWrite = process.permission.has('fs.write');
      process.stdout.write(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, [...launch.execArgv, '-e', probe], { env: {}, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Error/);
    expect(JSON.parse(r.stdout)).toEqual({
      write: 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      worker: 'ERR_ACCESS_DENIED',
      readSecrets: 'ERR_ACCESS_DENIED',
      readIsolatedVm: 'allowed',
      env: [],
      fsWrite: false,
    });
  });
});
