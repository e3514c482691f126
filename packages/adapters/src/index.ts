// Public API barrel of @intelgraph/adapters; filled by its issue.
export {};
