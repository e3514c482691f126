// Public API barrel of @intelgraph/contracts; filled by its issue.
export {};
