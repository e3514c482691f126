// Loaded with --import by a sandbox worker started from TypeScript sources (tests, benchmarks): Node
// strips the types itself, and this maps the sources' `./x.js` specifiers to `./x.ts`. No transpiler
// process or thread is needed, so the worker can run under the permission model with no workers and no
// child processes. Built packages (dist/) do not use it.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js'))
        return next(`${specifier.slice(0, -3)}.ts`, context);
      throw error;
    }
  },
});
