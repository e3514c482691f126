// Public API barrel of @intelgraph/host; filled by its issue.
export {};
