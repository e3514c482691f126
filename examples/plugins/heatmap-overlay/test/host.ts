// Fake host API for `intelgraph-plugin test`.
const entities = [
  { id: 'e1', type: 'Organization', label: 'Acme Corp', properties: { degree: 40 } },
  { id: 'e2', type: 'Person', label: 'Alice Acme', properties: { degree: 10 } },
  { id: 'e3', type: 'Account', label: 'Acme payroll', properties: { degree: 20 } },
];

export default {
  graph: {
    search: {
      scope: 'graph:read',
      handler: async ({ q, limit }: { q: string; limit?: number }) =>
        entities.filter((e) => e.label.toLowerCase().includes(q.toLowerCase())).slice(0, limit ?? 50),
    },
    neighbors: {
      scope: 'graph:read',
      handler: async ({ id }: { id: string }) => ({
        entities: entities.filter((e) => e.id !== id),
        relationships: entities
          .filter((e) => e.id !== id)
          .map((e) => ({ id: `r-${e.id}`, type: 'LINKED', from: id, to: e.id })),
      }),
    },
  },
};
