// Public API barrel of @intelgraph/sandbox; filled by its issue.
export {};
