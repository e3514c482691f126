export type { SandboxBudgets } from './budgets.js';
export { DEFAULT_BUDGET_CAPS, DEFAULT_BUDGETS, PartialBudgetsSchema, resolveBudgets } from './budgets.js';
export type { LogLevel } from './engine.js';
export { redactPii } from './redact.js';
export type {
  LogEntry,
  Sandbox,
  SandboxOptions,
  SandboxResult,
  SandboxRunRequest,
  SandboxStats,
} from './sandbox.js';
export { createSandbox } from './sandbox.js';
