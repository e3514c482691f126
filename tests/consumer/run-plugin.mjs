// From a project outside the workspace: an Express 5 host with its own JWT auth hook (jose), a
// trusted publisher key, the author kit's signed .tgz uploaded the way the publishing guide's CI step
// does (`curl --data-binary @dist/x.tgz "$URL/plugins"`), then install and run over GraphQL, and
// /metrics. Run with --no-node-snapshot (isolated-vm). Arguments: <plugin.tgz> <publisher.pub.pem>.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createExtensionHost } from '@intelgraph/host';
import { unpackTarball } from '@intelgraph/marketplace';
import { createExpressRouter } from '@intelgraph/server/express';
import express from 'express';
import { jwtVerify, SignJWT } from 'jose';

const [tgzPath, publicKeyPath] = process.argv.slice(2);
const secret = new TextEncoder().encode('consumer-test-secret-at-least-32-bytes!');
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const host = await createExtensionHost({
  dataDir: join(import.meta.dirname, '.intelgraph'),
  trust: [{ publisher: 'consumer-labs', publicKey: await readFile(publicKeyPath, 'utf8') }],
});
// Prometheus reads /metrics with a bearer token of its own (metrics span every org, so an org admin may not).
const metricsToken = randomBytes(24).toString('hex');
const { router, stop } = await createExpressRouter({
  host,
  metricsToken,
  async auth(req) {
    const header = req.get('authorization') ?? '';
    if (!header.startsWith('Bearer ')) return null;
    const { payload } = await jwtVerify(header.slice(7), secret, {
      issuer: 'consumer-test',
      audience: 'intelgraph',
    });
    return { userId: String(payload.sub), orgId: String(payload.org), roles: payload.roles };
  },
});
const app = express();
app.use('/intelgraph', router);
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const url = `http://127.0.0.1:${server.address().port}/intelgraph`;

const token = (sub, roles) =>
  new SignJWT({ org: 'acme', roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer('consumer-test')
    .setAudience('intelgraph')
    .setExpirationTime('5m')
    .sign(secret);
const admin = `Bearer ${await token('ada', ['admin'])}`;
const analyst = `Bearer ${await token('ann', ['analyst'])}`;
const gql = async (authorization, query, variables) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
};

try {
  // The guide's CI step, as curl sends it: the raw .tgz bytes, curl's default content type.
  const tgz = await readFile(tgzPath);
  const upload = await fetch(`${url}/plugins`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: admin },
    body: tgz,
  });
  const uploadBody = await upload.text();
  check(
    upload.status === 201 || upload.status === 200,
    `POST /plugins with the .tgz answers ${upload.status} ${uploadBody.slice(0, 200)}`,
  );
  if (!upload.ok) {
    // Keep going so the rest of the path is exercised; the run still fails on the check above.
    await host.plugins.publish(null, unpackTarball(tgz));
  }

  // The graph is partitioned by org: seed acme's, the org the JWT below signs in to.
  await host.internals.graph
    .forOrg('acme')
    .upsert({ entities: [{ id: 'org:acme', type: 'Organization', name: 'Acme Corp' }] });
  const install = await gql(
    admin,
    'mutation { pluginInstall(id: "consumer-plugin") { status installation { pluginId } } }',
  );
  check(
    install.data?.pluginInstall?.status === 'installed',
    `install over GraphQL: ${JSON.stringify(install).slice(0, 300)}`,
  );

  const run = await gql(
    analyst,
    'mutation Run($input: JSON!) { pluginRun(id: "consumer-plugin", input: $input) { ok value error { code message } } }',
    { input: { q: 'acme' } },
  );
  const r = run.data?.pluginRun;
  check(
    r?.ok === true && r.value?.count === 1 && r.value.ids?.[0] === 'org:acme',
    `run over GraphQL: ${JSON.stringify(run).slice(0, 300)}`,
  );

  const anonymous = await gql('', 'mutation { pluginRun(id: "consumer-plugin", input: {}) { ok } }');
  check(
    anonymous.errors?.[0]?.extensions?.code === 'FORBIDDEN',
    `no token → FORBIDDEN: ${JSON.stringify(anonymous).slice(0, 200)}`,
  );

  const asAdmin = await fetch(`${url}/metrics`, { headers: { authorization: admin } });
  check(asAdmin.status === 403, `GET /metrics as an org admin answers ${asAdmin.status} (403 expected)`);
  const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  const text = await metrics.text();
  check(
    metrics.status === 200 && /^plugin_cpu_ms_total\{/m.test(text),
    `GET /metrics answers ${metrics.status} with the plugin_cpu_ms_total series`,
  );
} finally {
  await stop();
  server.close();
  await host.close();
}
if (failures.length > 0) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
