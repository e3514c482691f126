// Fake host API for `intelgraph-plugin test`.
const cases = [
  {
    id: 'c1',
    title: 'Acme, Inc. wire fraud',
    status: 'open',
    entityIds: ['e1', 'e2'],
    updatedAt: '2026-03-30T09:00:00.000Z',
  },
  {
    id: 'c2',
    title: '=HYPERLINK("x")',
    status: 'closed',
    entityIds: [],
    updatedAt: '2026-03-31T10:00:00.000Z',
  },
];

export default {
  cases: {
    list: {
      scope: 'cases:read',
      handler: async ({ limit }: { q?: string; limit?: number }) => cases.slice(0, limit ?? 100),
    },
    get: {
      scope: 'cases:read',
      handler: async ({ id }: { id: string }) => cases.find((c) => c.id === id) ?? null,
    },
  },
};
