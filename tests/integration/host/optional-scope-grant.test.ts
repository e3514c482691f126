// Opting into a high-risk optional scope after install completes end to end over GraphQL
// (pluginGrant → review → steward approves → the grant is in place), and the same request twice
// is refused while the first is open.
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../../examples/demo/src/seed.js';
import { startTestServer, type TestServer } from './support.js';

const { alice, bob } = USERS;
const platform = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };

describe('a high-risk optional scope granted after install (GraphQL, PGlite)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const key = generatePublisherKeyPair();
    await server.host.internals.marketplace.trustKey(
      platform,
      'enricher-labs',
      publicKeyPem(key.privateKeyPem),
    );
    const pkg = await signPluginPackage(
      {
        manifest: {
          name: 'my-enricher',
          version: '1.0.0',
          entry: 'index.js',
          publisher: 'enricher-labs',
          capabilities: { graph: ['read'] },
          optionalCapabilities: { cases: ['write'] },
        },
        files: { 'index.js': 'module.exports.run = async () => 1;' },
      },
      key.privateKeyPem,
    );
    await server.host.plugins.publish(null, pkg);
    expect((await server.host.plugins.install(alice, { pluginId: 'my-enricher' })).status).toBe('installed');
  }, 180_000);
  afterAll(async () => server?.close());

  it('opens one review, which the steward approves, and then the plugin holds the scope', async () => {
    const GRANT =
      'mutation G($id: ID!, $s: [String!]!) { pluginGrant(id: $id, scopes: $s) { status reviewTask { id } } }';
    const asked = await server.gql<{ pluginGrant: { status: string; reviewTask: { id: string } | null } }>(
      alice,
      GRANT,
      { id: 'my-enricher', s: ['cases:write'] },
    );
    // Waiting for a review is a result, not an error.
    expect(asked.errors).toBeUndefined();
    expect(asked.data?.pluginGrant.status).toBe('pending_review');
    const again = await server.gql(alice, GRANT, { id: 'my-enricher', s: ['cases:write'] });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const status = await server.host.plugins.status(alice, 'my-enricher');
    expect(status.pendingRequests).toHaveLength(1);
    const taskId = status.pendingRequests[0]?.taskId ?? '';
    expect(taskId).toBe(asked.data?.pluginGrant.reviewTask?.id);
    const approved = await server.gql<{ reviewApprove: { status: string } }>(
      bob,
      'mutation A($id: ID!) { reviewApprove(id: $id, note: "reviewed") { status } }',
      { id: taskId },
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data?.reviewApprove.status).toBe('applied');
    const installed = await server.gql<{ installations: { pluginId: string; grantedScopes: string[] }[] }>(
      alice,
      'query { installations { pluginId grantedScopes } }',
    );
    expect(installed.data?.installations.find((i) => i.pluginId === 'my-enricher')?.grantedScopes).toEqual([
      'cases:write',
      'graph:read',
    ]);
    expect((await server.host.plugins.status(alice, 'my-enricher')).pendingRequests).toEqual([]);
  });
});
