// Public API barrel of @intelgraph/finops; filled by its issue.
export {};
