// Public API barrel of @intelgraph/capabilities; filled by its issue.
export {};
