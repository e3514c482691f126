// Public API barrel of @intelgraph/marketplace; filled by its issue.
export {};
