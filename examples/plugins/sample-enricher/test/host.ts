// Fake host API for `intelgraph-plugin test`: the same shape as the host's defineHostApi().
const entities = [
  { id: 'e1', type: 'Organization', label: 'Acme Corp', properties: { degree: 40, flags: ['sanctioned'] } },
  { id: 'e2', type: 'Person', label: 'Alice Acme', properties: { degree: 5, flags: [] } },
  {
    id: 'e3',
    type: 'Account',
    label: 'acme',
    properties: { degree: 60, flags: ['mule', 'new', 'offshore'] },
  },
  { id: 'e4', type: 'Organization', label: 'Globex', properties: { degree: 12 } },
];

export default {
  graph: {
    search: {
      scope: 'graph:read',
      handler: async ({ q, limit }: { q: string; limit?: number }) =>
        entities.filter((e) => e.label.toLowerCase().includes(q.toLowerCase())).slice(0, limit ?? 10),
    },
  },
};
