// Public API barrel of @intelgraph/governance; filled by its issue.
export {};
