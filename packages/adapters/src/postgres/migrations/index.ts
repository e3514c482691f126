import type { Migration } from '../migrate.js';
import { auditMigrations } from './audit.js';
import { billingMigrations } from './billing.js';
import { catalogMigrations } from './catalog.js';
import { contractsMigrations } from './contracts.js';
import { governanceMigrations } from './governance.js';
import { grantsMigrations } from './grants.js';
import { graphMigrations } from './graph.js';
import { replayMigrations } from './replay.js';

/** Every migration of every domain, in the order migrate() applies them. */
export const allMigrations: Migration[] = [
  ...auditMigrations,
  ...grantsMigrations,
  ...catalogMigrations,
  ...contractsMigrations,
  ...governanceMigrations,
  ...billingMigrations,
  ...graphMigrations,
  ...replayMigrations,
];
