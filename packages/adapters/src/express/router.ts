import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  type Actor,
  ActorSchema,
  HTTP_STATUS_BY_CODE,
  IntelGraphError,
  isIntelGraphError,
} from '@intelgraph/core';
import type { ExtensionHost } from '@intelgraph/host';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { formatGraphQLError } from '../graphql/errors.js';
import { type QueryLimits, queryLimitsRule } from '../graphql/limits.js';
import { createGraphQLSchema } from '../graphql/schema.js';

/** Resolves the acting user of a request; `null` means anonymous (every operation then answers FORBIDDEN). */
export type AuthHook = (req: Request) => Actor | null | Promise<Actor | null>;

/** Options of {@link createExpressRouter}. */
export interface ExpressRouterOptions {
  host: ExtensionHost;
  /**
   * The host application's authentication. Required unless `development` is true, in which case the
   * actor comes from the headers `x-intelgraph-user`, `x-intelgraph-org` and `x-intelgraph-roles`
   * (comma-separated) — for local demos only, never in production.
   */
  auth?: AuthHook;
  development?: boolean;
  /** Largest accepted request body (default `1mb`; plugin packages: `packageBodyLimit`, default `5mb`). */
  bodyLimit?: string;
  packageBodyLimit?: string;
  queryLimits?: Partial<QueryLimits>;
  /** Allow GraphQL introspection (default: only in development). */
  introspection?: boolean;
}

/** A mounted router plus the function that stops its GraphQL server. */
export interface IntelGraphRouter {
  router: Router;
  stop(): Promise<void>;
}

/**
 * Reads the development-mode actor from request headers. Exposed so hosts can reuse it in tests.
 *
 * @example
 * ```ts
 * const actor = developmentActor(req); // { userId: 'alice', orgId: 'acme', roles: ['analyst'] } or null
 * ```
 */
export function developmentActor(req: Request): Actor | null {
  const userId = req.header('x-intelgraph-user');
  const orgId = req.header('x-intelgraph-org');
  if (!userId || !orgId) return null;
  const roles = (req.header('x-intelgraph-roles') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const parsed = ActorSchema.safeParse({ userId, orgId, roles });
  if (!parsed.success) throw new IntelGraphError('INVALID_INPUT', 'malformed development identity headers');
  return parsed.data;
}

function sendError(res: Response, err: unknown): void {
  if (isIntelGraphError(err)) {
    res.status(HTTP_STATUS_BY_CODE[err.code]).json({ error: err.toJSON() });
    return;
  }
  const status = (err as { status?: number; type?: string }).status;
  if (status === 413) {
    res
      .status(413)
      .json({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large', details: {} } });
    return;
  }
  if (status === 400) {
    res
      .status(400)
      .json({ error: { code: 'INVALID_INPUT', message: 'malformed request body', details: {} } });
    return;
  }
  res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error', details: {} } });
}

/**
 * An Express 5 router with the whole HTTP surface of the extension platform:
 * - `POST /graphql` — the GraphQL API (Apollo Server 5), with depth/cost limits;
 * - `GET /metrics` — the host's prom-client registry, in Prometheus text format;
 * - `GET /healthz` — the process is up; `GET /readyz` — every backend answers (503 otherwise);
 * - `POST /plugins/packages` — upload a signed plugin package (JSON), answered with the published version.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createExpressRouter } from '@intelgraph/adapters/express';
 * const app = express();
 * const { router, stop } = await createExpressRouter({ host, auth: (req) => myAuth(req) });
 * app.use('/intelgraph', router);
 * ```
 */
export async function createExpressRouter(options: ExpressRouterOptions): Promise<IntelGraphRouter> {
  const { host } = options;
  if (!options.auth && !options.development) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'createExpressRouter needs an auth hook (or development: true for local demos)',
    );
  }
  const auth: AuthHook = options.auth ?? developmentActor;
  const router = express.Router();

  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await host.health();
    res.status(report.ok ? 200 : 503).json(report);
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', host.registry.contentType);
    res.send(await host.registry.metrics());
  });

  router.post(
    '/plugins/packages',
    express.json({ limit: options.packageBodyLimit ?? '5mb' }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const actor = await auth(req);
        if (!actor)
          throw new IntelGraphError('FORBIDDEN', 'uploading a package needs an authenticated actor');
        const published = await host.publish(actor, req.body);
        res.status(201).json(published);
      } catch (err) {
        next(err);
      }
    },
  );

  const apollo = new ApolloServer<{ actor: Actor | null }>({
    schema: createGraphQLSchema(host),
    formatError: formatGraphQLError,
    validationRules: [queryLimitsRule(options.queryLimits)],
    introspection: options.introspection ?? options.development === true,
    // Errors are typed data for clients; nothing is logged with request contents.
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();
  router.use(
    '/graphql',
    express.json({ limit: options.bodyLimit ?? '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({ actor: await auth(req) }),
    }),
  );

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => sendError(res, err));
  return { router, stop: () => apollo.stop() };
}
