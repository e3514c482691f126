import type { Actor } from '@intelgraph/core';
import type { ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';

// The observability tests' one plugin set-up: a publisher key the host trusts, then a signed plugin
// published and installed for alice of acme.
const key = generatePublisherKeyPair();
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
export const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };

/** Trusts the test publisher `acme-labs` on this host. */
export async function trustPublisher(host: ExtensionHost): Promise<void> {
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
}

/** Signs, publishes and installs (for alice of acme) a one-file plugin by `acme-labs`. */
export async function publishAndInstall(
  host: ExtensionHost,
  manifest: { name: string } & Record<string, unknown>,
  code: string,
): Promise<void> {
  const pkg = await signPluginPackage(
    {
      manifest: { version: '1.0.0', entry: 'index.js', publisher: 'acme-labs', ...manifest },
      files: { 'index.js': code },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
  await host.plugins.install(alice, { pluginId: manifest.name });
}

/** The echo plugin the HTTP tests run: `{ n }` in, `{ got: n }` out. */
export async function installEcho(host: ExtensionHost): Promise<void> {
  await trustPublisher(host);
  await publishAndInstall(
    host,
    { name: 'echo' },
    'module.exports.run = async (input) => ({ got: input.n });',
  );
}
