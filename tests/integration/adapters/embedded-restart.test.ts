// The embedded default keeps what it is given: entities ingested and cases opened on a host with a
// dataDir are still there, and searchable, after the host is closed and opened again on that folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '@intelgraph/core';
import { createExtensionHost } from '@intelgraph/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const steward: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const analyst: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };

const personContract = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, city: { type: 'string' } },
  additionalProperties: false,
};

describe('embedded host restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ig-embedded-restart-'));
  let caseId = '';
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // The first life of the host: ingest, link, open a case, merge; then close (one PGlite start here,
  // the second in the test).
  beforeAll(async () => {
    const first = await createExtensionHost({ dataDir, sandbox: { poolSize: 1 } });
    try {
      await first.contracts.register(steward, { subject: 'person', format: 'json', schema: personContract });
      const ingested = await first.contracts.ingest(analyst, 'person', [
        { id: 'p-1', name: 'Ada Lovelace', city: 'London' },
        { id: 'p-2', name: 'Charles Babbage', city: 'London' },
        { id: 'p-3', name: 'A. Lovelace' },
      ]);
      expect(ingested.status).toBe('accepted');
      await first.internals.graph
        .forOrg('acme')
        .upsert({ relationships: [{ type: 'KNOWS', from: 'p-1', to: 'p-2' }] });
      const opened = await first.internals.cases.create({
        orgId: 'acme',
        title: 'Analytical engine',
        createdBy: 'alice',
        entityIds: ['p-1', 'p-3'],
      });
      caseId = opened.id;
      await first.internals.cases.appendNote({
        orgId: 'acme',
        id: caseId,
        author: 'alice',
        text: 'Seen in 1843',
      });
      await first.internals.graph.forOrg('acme').merge({ survivorId: 'p-1', mergedId: 'p-3' });
    } finally {
      await first.close();
    }
  });

  it('keeps ingested entities, their merges and cases across a restart, searchable', async () => {
    const second = await createExtensionHost({ dataDir, sandbox: { poolSize: 1 } });
    try {
      const ada = await second.internals.graph.forOrg('acme').getEntity('p-1');
      expect(ada).toMatchObject({
        type: 'Person',
        name: 'Ada Lovelace',
        aliases: ['A. Lovelace'],
        properties: { city: 'London' },
        mergedFrom: ['p-3'],
      });
      expect(await second.internals.graph.forOrg('acme').getEntity('p-3')).toBeNull();
      expect(
        (await second.internals.graph.forOrg('acme').search({ q: 'lovel' })).items.map((h) => h.entity.id),
      ).toEqual(['p-1']);
      expect((await second.internals.graph.forOrg('acme').search({ q: 'london' })).items).toEqual([]); // properties are not searched
      expect(
        (await second.internals.graph.forOrg('acme').search({ q: 'charles', types: ['Person'] })).items,
      ).toHaveLength(1);
      const knows = await second.internals.graph.forOrg('acme').neighbors({ id: 'p-2' });
      expect(
        knows.items.map((n) => `${n.relationship.from}-${n.relationship.type}->${n.relationship.to}`),
      ).toEqual(['p-1-KNOWS->p-2']);
      const stored = await second.internals.cases.get({ orgId: 'acme', id: caseId });
      expect(stored).toMatchObject({ title: 'Analytical engine', entityIds: ['p-1'], version: 3 });
      expect(stored?.notes.map((n) => n.text)).toEqual(['Seen in 1843']);
      expect(
        (await second.internals.cases.list({ orgId: 'acme', entityId: 'p-1' })).items.map((c) => c.id),
      ).toEqual([caseId]);
      expect(await second.internals.cases.get({ orgId: 'other', id: caseId })).toBeNull();
      // The audit that says the batch was ingested is on the same disk as the entities it names.
      const events = await second.internals.audit.list();
      expect(events.some((e) => e.type.includes('ingest'))).toBe(true);
      expect((await second.internals.audit.verify()).ok).toBe(true);
    } finally {
      await second.close();
    }
  });
});
