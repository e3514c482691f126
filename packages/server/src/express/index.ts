export type { AuthHook, ExpressRouterOptions, IntelGraphRouter } from './router.js';
export { createExpressRouter, developmentActor } from './router.js';
