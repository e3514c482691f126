export type { BuildPluginOptions, BuiltPlugin } from './build.js';
export { buildPlugin } from './build.js';
export type { CliIo } from './cli-app.js';
export { runCli } from './cli-app.js';
export type {
  PluginFixture,
  PluginFixtureResult,
  PluginTestReport,
  UsageBudgets,
} from './plugin-test.js';
export { formatTestReport, testPlugin } from './plugin-test.js';
export { scaffoldPlugin } from './scaffold.js';
