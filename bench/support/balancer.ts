// A real load balancer in front of several hosts: Debian's HAProxy, round robin, HTTP keep-alive to
// the backends, listening on 127.0.0.1 only. Installed from Debian's packages when missing (as root).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running balancer. */
export interface Balancer {
  url: string;
  pid: number;
  close(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });

function haproxyBinary(): string {
  const found = () => {
    try {
      return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  let bin = found();
  if (!bin && process.getuid?.() === 0) {
    execFileSync(
      'sh',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy'],
      {
        stdio: 'ignore',
      },
    );
    bin = found();
  }
  if (!bin) throw new Error('HAProxy is required (apt-get install -y haproxy)');
  return bin;
}

/**
 * Starts HAProxy in the foreground, round robin over `backends` (`http://127.0.0.1:PORT` URLs), and
 * waits until it accepts connections.
 */
export async function startBalancer(backends: readonly string[]): Promise<Balancer> {
  const bin = haproxyBinary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ig-haproxy-'));
  const servers = backends.map((b, i) => `  server host${i} ${new URL(b).host} maxconn 1000`).join('\n');
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global
  maxconn 4000
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 120s
  timeout server 120s
frontend graphql
  bind 127.0.0.1:${port}
  default_backend hosts
backend hosts
  balance roundrobin
  http-reuse always
${servers}
`,
  );
  const child: ChildProcess = spawn(bin, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`HAProxy exited (code ${child.exitCode})`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('HAProxy did not answer /healthz within 10 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid ?? 0,
    async close() {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
