import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../../examples/demo/src/seed.js';
import { startTestServer, type TestServer } from './support.js';

// The moderation queue over GraphQL, on the demo's seed (two abuse reports on case-triage@1.0.0).
const { alice, dave } = USERS;
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const QUEUE = /* GraphQL */ `
  query Queue { moderationQueue { items { pluginId version hidden openReports reportingOrgs
    categories { category count } reports { id status resolvedBy } }
    recent { pluginId version outcome reason moderator } } }`;
const HIDE = /* GraphQL */ `
  mutation Hide($hidden: Boolean!, $reason: String!) {
    moderationSetHidden(pluginId: "case-triage", version: "1.0.0", hidden: $hidden, reason: $reason) { hidden openReports }
  }`;
const RESOLVE = /* GraphQL */ `
  mutation Resolve($reason: String!) {
    moderationResolve(pluginId: "case-triage", version: "1.0.0", outcome: upheld, reason: $reason) { openReports reports { status } }
  }`;

type Queue = {
  moderationQueue: {
    items: { pluginId: string; openReports: number; reportingOrgs: number; hidden: boolean }[];
    recent: { outcome: string; reason: string; moderator: string }[];
  };
};

describe('moderation over GraphQL', () => {
  it('shows moderators the reports per version, hides and resolves them with a reason, audited', async () => {
    const denied = await s.gql(alice, QUEUE);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const queue = await s.gql<Queue>(dave, QUEUE);
    expect(queue.errors).toBeUndefined();
    expect(queue.data?.moderationQueue.items).toEqual([
      expect.objectContaining({ pluginId: 'case-triage', openReports: 2, reportingOrgs: 2, hidden: false }),
    ]);

    const hidden = await s.gql<{ moderationSetHidden: { hidden: boolean; openReports: number } }>(
      dave,
      HIDE,
      {
        hidden: true,
        reason: 'Checking the privacy report',
      },
    );
    expect(hidden.data?.moderationSetHidden).toEqual({ hidden: true, openReports: 2 });
    const search = await s.gql<{ search: { plugin: { id: string } }[] }>(
      alice,
      'query { search(query: "triage") { plugin { id } } }',
    );
    expect(search.data?.search.map((h) => h.plugin.id)).not.toContain('case-triage');

    const blank = await s.gql(dave, RESOLVE, { reason: '   ' });
    expect(blank.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    const resolved = await s.gql<{
      moderationResolve: { openReports: number; reports: { status: string }[] };
    }>(dave, RESOLVE, { reason: 'Logs carried case titles' });
    expect(resolved.data?.moderationResolve.openReports).toBe(0);
    expect(resolved.data?.moderationResolve.reports.map((r) => r.status)).toEqual(['upheld', 'upheld']);

    const after = await s.gql<Queue>(dave, QUEUE);
    // Still hidden, so still in the queue (to be shown again), with the resolution in "recent".
    expect(after.data?.moderationQueue.items[0]).toMatchObject({ openReports: 0, hidden: true });
    expect(after.data?.moderationQueue.recent[0]).toMatchObject({
      outcome: 'upheld',
      reason: 'Logs carried case titles',
      moderator: 'dave',
    });
    const types = (await s.host.internals.audit.list({ subject: 'plugin:case-triage' })).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['report.created', 'moderation.hidden', 'moderation.resolved']),
    );
  });
});
