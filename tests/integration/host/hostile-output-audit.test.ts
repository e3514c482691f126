// A run whose output contract failures are huge is still audited, on the embedded default database
// (PGlite in a temp folder): an integration test, since it opens a real embedded PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { describe, expect, it } from 'vitest';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
const key = generatePublisherKeyPair();

async function publish(host: ExtensionHost, manifest: Record<string, unknown>, code: string): Promise<void> {
  const pkg = await signPluginPackage(
    {
      manifest: { version: '1.0.0', entry: 'index.js', publisher: 'acme-labs', ...manifest },
      files: { 'index.js': code },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
}

const hosts: ExtensionHost[] = [];
async function newHost(options: Parameters<typeof createExtensionHost>[0] = {}): Promise<ExtensionHost> {
  const host = await createExtensionHost({ sandbox: { poolSize: 1 }, ...options });
  hosts.push(host);
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  return host;
}

describe('createExtensionHost: audit of hostile output', () => {
  it('records the run even when its output contract failures are huge (long hostile keys), on PGlite', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ig-host-audit-'));
    try {
      const host = await newHost({ database: undefined, dataDir });
      await host.contracts.register(bob, {
        subject: 'closed',
        format: 'json',
        schema: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' } } },
      });
      // Each '/' in a key doubles in a JSON pointer ('~1'): 2 keys of 300,000 would make a 1.2 MB event.
      await publish(
        host,
        { name: 'bloater', outputSchema: { subject: 'closed' }, budgets: { outputKB: 1024 } },
        "module.exports.run = async () => ({ id: 'x', ['/'.repeat(3e5)]: 1, ['/'.repeat(3e5) + 'a']: 1 });",
      );
      await host.plugins.install(alice, { pluginId: 'bloater' });
      const r = await host.plugins.run(alice, 'bloater', {});
      expect(r.error?.code, r.error?.message).toBe('CONTRACT_VIOLATION');
      const runs = await host.internals.audit.list({ type: 'plugin.run' });
      expect(runs).toHaveLength(1);
      const data = runs[0]?.data as {
        outcome: string;
        outputContract: { failed: number; failures: { issues: { path: string }[] }[] };
      };
      expect(data.outcome).toBe('CONTRACT_VIOLATION');
      expect(data.outputContract.failed).toBe(1);
      for (const issue of data.outputContract.failures.flatMap((f) => f.issues))
        expect(issue.path.length).toBeLessThan(400);
      expect((await host.internals.audit.verify()).ok).toBe(true);
    } finally {
      while (hosts.length) await hosts.pop()?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
