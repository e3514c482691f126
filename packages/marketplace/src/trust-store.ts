import {
  type CatalogStore,
  type Clock,
  IntelGraphError,
  type PublisherKeyRecord,
  systemClock,
} from '@intelgraph/core';
import { type KeyInput, keyIdOf, publicKeyPem, toPublicKey } from './keys.js';
import type { KeyResolver } from './signing.js';

/**
 * Publisher keys a host trusts, with rotation and revocation, persisted through the catalog store.
 * - `add` trusts a new key of a publisher (it becomes `active`; a publisher may have several).
 * - `rotate` adds a new key and retires the publisher's active ones: versions they signed stay valid,
 *   new publications with them are refused.
 * - `revoke` withdraws a key: nothing it signed verifies any more.
 */
export interface TrustStore {
  add(publisherId: string, publicKey: KeyInput): Promise<PublisherKeyRecord>;
  rotate(
    publisherId: string,
    newPublicKey: KeyInput,
    reason?: string,
  ): Promise<{
    added: PublisherKeyRecord;
    retired: PublisherKeyRecord[];
  }>;
  revoke(keyId: string, reason: string): Promise<PublisherKeyRecord>;
  get(keyId: string): Promise<PublisherKeyRecord | null>;
  list(publisherId?: string): Promise<PublisherKeyRecord[]>;
  /** A resolver for {@link verifyPluginPackage}'s `resolveKey` option. */
  resolver(): KeyResolver;
}

const PUBLISHER = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Creates a {@link TrustStore} over a catalog store.
 *
 * @example
 * ```ts
 * import { createMemoryMarketplaceStore, createTrustStore, verifyPluginPackage } from '@intelgraph/marketplace';
 * const trust = createTrustStore({ store: createMemoryMarketplaceStore() });
 * await trust.add('acme-labs', publicKeyPem);
 * await verifyPluginPackage(pkg, { resolveKey: trust.resolver() });
 * ```
 */
export function createTrustStore(options: { store: CatalogStore; clock?: Clock }): TrustStore {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const now = () => new Date(clock.now()).toISOString();

  async function add(publisherId: string, publicKey: KeyInput): Promise<PublisherKeyRecord> {
    if (typeof publisherId !== 'string' || !PUBLISHER.test(publisherId))
      throw new IntelGraphError('INVALID_INPUT', 'publisher id must be a lowercase package-style name');
    const keyId = keyIdOf(publicKey);
    const existing = await store.getKey(keyId);
    if (existing) {
      if (existing.publisherId !== publisherId)
        throw new IntelGraphError('CONFLICT', `key ${keyId} belongs to another publisher`);
      if (existing.status === 'revoked')
        throw new IntelGraphError('CONFLICT', `key ${keyId} was revoked and cannot be trusted again`);
      return existing;
    }
    const at = now();
    await store.ensurePublisher({ id: publisherId, displayName: publisherId, createdAt: at });
    const record: PublisherKeyRecord = {
      keyId,
      publisherId,
      publicKeyPem: publicKeyPem(publicKey),
      status: 'active',
      addedAt: at,
      retiredAt: null,
      revokedAt: null,
      reason: null,
    };
    await store.insertKey(record);
    return record;
  }

  return {
    add,
    async rotate(publisherId, newPublicKey, reason = 'rotated') {
      const newId = keyIdOf(newPublicKey);
      const active = (await store.listKeys(publisherId)).filter(
        (k) => k.status === 'active' && k.keyId !== newId,
      );
      const added = await add(publisherId, newPublicKey);
      const retired: PublisherKeyRecord[] = [];
      for (const k of active)
        retired.push(await store.updateKey(k.keyId, { status: 'retired', retiredAt: now(), reason }));
      return { added, retired };
    },
    async revoke(keyId, reason) {
      const k = await store.getKey(keyId);
      if (!k) throw new IntelGraphError('NOT_FOUND', `no key ${keyId}`);
      if (k.status === 'revoked') return k;
      return store.updateKey(keyId, { status: 'revoked', revokedAt: now(), reason });
    },
    get: (keyId) => store.getKey(keyId),
    list: (publisherId) => store.listKeys(publisherId),
    resolver() {
      return async (keyId) => {
        const k = await store.getKey(keyId);
        return k ? { key: toPublicKey(k.publicKeyPem), publisherId: k.publisherId, status: k.status } : null;
      };
    },
  };
}
