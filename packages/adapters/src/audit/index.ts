// The verifiable audit log's edges: witnesses that hold checkpoints, and the intelgraph-audit CLI.
export type { AuditCliDeps, AuditCliIo } from './cli-program.js';
export { AUDIT_EXIT, runAuditCli } from './cli-program.js';
export type { WebhookWitnessOptions } from './witness.js';
export { createFileWitness, createWebhookWitness, readWitnessFile } from './witness.js';
