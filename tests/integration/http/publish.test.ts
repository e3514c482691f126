import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntelGraphError } from '@intelgraph/core';
import { encodePackage, readPackage } from '@intelgraph/marketplace';
import { runCli } from '@intelgraph/plugin-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpTestServer, startHttpServer } from './support.js';

// Publishing over HTTP in every documented form, the guide's CI command run verbatim.
const ROOT = join(import.meta.dirname, '..', '..', '..');
const GUIDE = join(ROOT, 'docs', 'guides', 'marketplace-publishing.md');
const TOKEN = 'ci-publish-token';
const work = mkdtempSync(join(tmpdir(), 'ig-publish-'));
let s: HttpTestServer;

/** Runs a command without blocking this process's event loop (the server under test lives here too). */
function sh(
  file: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: work, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function cli(argv: string[]): Promise<void> {
  const out: string[] = [];
  const code = await runCli(argv, { cwd: work, stdout: (l) => out.push(l), stderr: (l) => out.push(l) });
  if (code !== 0) throw new Error(`intelgraph-plugin ${argv.join(' ')} exited ${code}: ${out.join('\n')}`);
}

/** The author kit's build of a sample plugin: dist/<name>-0.1.0.tgz, signed with the test publisher key. */
async function build(name: string): Promise<string> {
  await cli([
    'build',
    join(ROOT, 'examples', 'plugins', name),
    '--key',
    'keys/publisher.key.pem',
    '--out',
    'dist',
    '--conditions',
    '@intelgraph/source',
  ]);
  return join(work, 'dist', `${name}-0.1.0.tgz`);
}

function post(path: string, body: NonNullable<RequestInit['body']>, headers: Record<string, string>) {
  return fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    body,
  });
}

async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as { error?: { code?: string } }).error?.code ?? 'none';
}

beforeAll(async () => {
  await cli(['keygen', '--out', 'keys']);
  s = await startHttpServer(
    {
      trust: [
        {
          publisher: 'intelgraph-examples',
          publicKey: readFileSync(join(work, 'keys', 'publisher.pub.pem'), 'utf8'),
        },
      ],
    },
    {
      // A host's own auth: a bearer token mapped to the CI publisher.
      auth: (req) => {
        const header = req.header('authorization');
        if (header === undefined) return null;
        if (header !== `Bearer ${TOKEN}`) throw new IntelGraphError('UNAUTHENTICATED', 'bad token');
        return { userId: 'ci', orgId: 'intelgraph-examples', roles: ['publisher:intelgraph-examples'] };
      },
      packageBodyLimit: '512kb',
    },
  );
}, 120_000);
afterAll(async () => {
  await s?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('POST /plugins', () => {
  it("runs the guide's CI curl command verbatim against the author kit's .tgz", async () => {
    const guide = readFileSync(GUIDE, 'utf8');
    const line = guide.split('\n').find((l) => l.includes('- run: curl '));
    expect(line).toBeDefined();
    const command = (line as string).trim().replace(/^- run: /, '');
    const tgz = await build('sample-enricher');
    // The guide's example plugin is called my-plugin; the file name is all that differs.
    mkdirSync(join(work, 'dist'), { recursive: true });
    copyFileSync(tgz, join(work, 'dist', 'my-plugin-0.1.0.tgz'));
    expect((await sh('which', ['curl'])).status, 'curl must be installed for this test').toBe(0);
    const env = { GITHUB_REF_NAME: 'v0.1.0', MARKETPLACE_URL: s.url, MARKETPLACE_TOKEN: TOKEN };
    const run = await sh('bash', ['--noprofile', '--norc', '-c', command], env);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ pluginId: 'sample-enricher', version: '0.1.0' });
    expect((await s.host.internals.marketplace.detail('sample-enricher')).latestVersion).toBe('0.1.0');
    // Again: the version exists, and curl --fail turns the 4xx into a failing CI step.
    const again = await sh('bash', ['--noprofile', '--norc', '-c', command], env);
    expect(again.status).toBe(22);
  });

  it('takes the .tgz as application/octet-stream', async () => {
    const tgz = readFileSync(await build('heatmap-overlay'));
    const res = await post('/plugins', tgz, { 'content-type': 'application/octet-stream' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ pluginId: 'heatmap-overlay' });
    const again = await post('/plugins', tgz, { 'content-type': 'application/octet-stream' });
    expect([again.status, await codeOf(again)]).toEqual([409, 'CONFLICT']);
  });

  it('takes the encodePackage JSON wire format on the former path too', async () => {
    await build('case-exporter');
    const pkg = await readPackage(join(work, 'dist', 'case-exporter'));
    const res = await post('/plugins/packages', JSON.stringify(encodePackage(pkg)), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ pluginId: 'case-exporter' });
  });

  it('answers every bad upload with a typed 4xx, and publishes nothing', async () => {
    const tgz = readFileSync(join(work, 'dist', 'sample-enricher-0.1.0.tgz'));
    const cases: [string, () => Promise<Response>, number, string][] = [
      ['anonymous', () => fetch(`${s.url}/plugins`, { method: 'POST', body: tgz }), 401, 'UNAUTHENTICATED'],
      [
        'bad token',
        () =>
          fetch(`${s.url}/plugins`, { method: 'POST', body: tgz, headers: { authorization: 'Bearer x' } }),
        401,
        'UNAUTHENTICATED',
      ],
      ['text/plain', () => post('/plugins', tgz, { 'content-type': 'text/plain' }), 415, 'INVALID_INPUT'],
      [
        'multipart',
        () => post('/plugins', 'x', { 'content-type': 'multipart/form-data; boundary=x' }),
        415,
        'INVALID_INPUT',
      ],
      [
        'not gzip',
        () => post('/plugins', 'hello', { 'content-type': 'application/gzip' }),
        400,
        'INVALID_INPUT',
      ],
      [
        'gzip, not a tar',
        () => post('/plugins', tgz.subarray(0, 40), { 'content-type': 'application/gzip' }),
        400,
        'INVALID_INPUT',
      ],
      [
        'bad JSON',
        () => post('/plugins', '{"manifest":', { 'content-type': 'application/json' }),
        400,
        'INVALID_INPUT',
      ],
      [
        'JSON, not a package',
        () => post('/plugins', '[1,2]', { 'content-type': 'application/json' }),
        400,
        'INVALID_INPUT',
      ],
      [
        'raw package object (not encoded)',
        () =>
          post('/plugins', JSON.stringify({ manifest: { name: 'x' }, files: { 'index.js': 'x = 1;' } }), {
            'content-type': 'application/json',
          }),
        400,
        'INVALID_INPUT',
      ],
      [
        'over the body limit',
        () => post('/plugins', new Uint8Array(600 * 1024).fill(0x1f), { 'content-type': 'application/gzip' }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ];
    const before = (await s.host.internals.marketplace.list({ limit: 100 })).length;
    const got: string[] = [];
    for (const [name, send, status, code] of cases) {
      const res = await send();
      const c = await codeOf(res);
      if (res.status !== status || c !== code)
        got.push(`${name}: ${res.status} ${c} (expected ${status} ${code})`);
    }
    expect(got).toEqual([]);
    expect((await s.host.internals.marketplace.list({ limit: 100 })).length).toBe(before);
  });
});
