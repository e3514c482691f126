// Port interfaces implemented by the adapters. One file per domain, each grown by its own package's work.
export type * from './audit.js';
export type * from './billing.js';
export type * from './cases.js';
export type * from './catalog.js';
export type * from './contracts.js';
export type * from './grants.js';
export type * from './graph.js';
export type * from './installations.js';
export type * from './quotas.js';
export type * from './replay.js';
export type * from './reviews.js';
