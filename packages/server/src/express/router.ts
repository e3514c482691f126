import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { type Actor, ActorSchema, IntelGraphError, parseInput } from '@intelgraph/core';
import type { ExtensionHost } from '@intelgraph/host';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { z } from 'zod';
import { queryCostPlugin } from '../graphql/cost.js';
import { formatGraphQLError } from '../graphql/errors.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits, queryLimitsRule } from '../graphql/limits.js';
import { createGraphQLLoaders } from '../graphql/loaders.js';
import type { GraphQLContext } from '../graphql/resolvers.js';
import { createGraphQLSchema } from '../graphql/schema.js';
import { errorMiddleware } from './http-errors.js';
import { createMetricsExposition, metricsFormatFor } from './metrics-exposition.js';
import { operatorCheck } from './observability-access.js';
import { packageBodyParsers, packageFromBody } from './package-upload.js';
import { traceContextMiddleware } from './trace-context.js';

/**
 * Resolves the acting user of a request; `null` means anonymous (every GraphQL operation then answers
 * FORBIDDEN, the upload and operator endpoints 401). Return `null` for a missing or bad credential; throw
 * an `IntelGraphError` (e.g. `UNAUTHENTICATED`) to answer with its code; any other throw is a 500.
 */
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
  /** GraphQL depth, field, alias, cost and token limits (defaults: `DEFAULT_QUERY_LIMITS`). */
  queryLimits?: Partial<QueryLimits>;
  /** Allow GraphQL introspection (default: only when `development` is true). */
  introspection?: boolean;
  /**
   * A bearer token that lets scrapers read `/metrics` and the per-backend detail of `/readyz`
   * (`Authorization: Bearer <token>`). Without it, only actors of the auth hook holding
   * `observability.read` (`host.authorizer`; default role `operator`) may.
   */
  metricsToken?: string;
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
  if (!parsed.success)
    throw new IntelGraphError('UNAUTHENTICATED', 'malformed development identity headers', {
      details: { reason: 'malformed_identity' },
    });
  return parsed.data;
}

const INTROSPECTION_OFF = /^GraphQL introspection is not allowed/;

function formatRouterError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // Apollo's own advice names a server the host never creates: name the router's option instead.
  if (INTROSPECTION_OFF.test(formatted.message))
    return {
      message:
        'GraphQL introspection is disabled; enable it with createExpressRouter({ introspection: true }) (it is on by default only with development: true)',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INVALID_INPUT', details: { reason: 'introspection_disabled' } },
    };
  return formatGraphQLError(formatted, error);
}

const positive = z.number().int().positive();
const SizeSchema = z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb)$/i, 'a size such as 512kb or 5mb');
// The plain-data options; `host` and `auth` are checked by their use.
const RouterOptionsSchema = z
  .object({
    development: z.boolean().optional(),
    introspection: z.boolean().optional(),
    bodyLimit: SizeSchema.optional(),
    packageBodyLimit: SizeSchema.optional(),
    metricsToken: z.string().min(16, 'use at least 16 characters').max(4096).optional(),
    queryLimits: z
      .object({
        maxDepth: positive,
        maxFields: positive,
        maxAliases: z.number().int().nonnegative(),
        maxCost: positive,
        defaultListSize: positive,
        maxTokens: positive,
      })
      .partial()
      .strict()
      .optional(),
  })
  // An unknown option is refused, so a removed one (`metricsRoles`: now the host's `observability.read`)
  // is not silently ignored.
  .strict();

function isPost(req: Request): boolean {
  return req.method === 'POST';
}

/**
 * An Express 5 router with the whole HTTP surface of the extension platform:
 * - `POST /graphql` — the GraphQL API (Apollo Server 5), with depth, alias, field and cost limits;
 * - `GET /metrics` — the host's prom-client registry (metrics token or operator): OpenMetrics with exemplars
 *   when the `Accept` header asks for `application/openmetrics-text`, else Prometheus text 0.0.4;
 * - `GET /healthz` — the process is up (public); `GET /readyz` — 200, or 503 when a backend is down; with the
 *   metrics token or as an operator, also which one (`checks`), never its error text;
 * - `POST /plugins` — publish a signed plugin package: the `.tgz` of `intelgraph-plugin build`
 *   (`application/gzip`/`application/octet-stream`) or `encodePackage` JSON; 201 with the published version.
 *   `POST /plugins/packages` is the same route under its former path.
 *
 * Every refusal is `{ error: { code, message, details } }` with the code's HTTP status (415 for an
 * unsupported content type); GraphQL errors carry the code in `extensions.code`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createExpressRouter } from '@intelgraph/server/express';
 * const app = express();
 * const { router, stop } = await createExpressRouter({ host, auth: (req) => myAuth(req) });
 * app.use('/intelgraph', router);
 * ```
 */
export async function createExpressRouter(options: ExpressRouterOptions): Promise<IntelGraphRouter> {
  const { host } = options;
  const { auth: _auth, host: _host, ...plain } = options;
  parseInput(RouterOptionsSchema, plain, 'createExpressRouter options');
  if (!options.auth && !options.development) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'createExpressRouter needs an auth hook (or development: true for local demos)',
    );
  }
  const auth: AuthHook = options.auth ?? developmentActor;
  const limits = { ...DEFAULT_QUERY_LIMITS, ...options.queryLimits };
  const router = express.Router();
  const operatorOnly = operatorCheck({
    ...(options.metricsToken ? { token: options.metricsToken } : {}),
    authorizer: host.authorizer,
    auth,
  });

  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Probes and load balancers get the verdict alone; which backend is down is for operators. Never why:
  // driver messages name hosts, users and SQL.
  router.get('/readyz', async (req, res, next) => {
    try {
      const report = await host.health();
      const status = report.ok ? 200 : 503;
      if (!(await operatorOnly.allows(req))) {
        res.status(status).json({ ok: report.ok });
        return;
      }
      const checks = Object.fromEntries(
        Object.entries(report.checks).map(([name, c]) => [name, { ok: c.ok }]),
      );
      res.status(status).json({ ok: report.ok, checks });
    } catch (err) {
      next(err);
    }
  });
  const exposition = createMetricsExposition(host.metrics);
  router.get('/metrics', operatorOnly.guard, async (req, res) => {
    const { contentType, body } = await exposition.render(metricsFormatFor(req.get('accept')));
    res.setHeader('content-type', contentType);
    res.setHeader('vary', 'Accept');
    res.send(body);
  });

  router.post(
    ['/plugins', '/plugins/packages'],
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const actor = await auth(req);
        if (!actor)
          throw new IntelGraphError('UNAUTHENTICATED', 'publishing a package needs an authenticated actor');
        localsOf(res).actor = actor;
        next();
      } catch (err) {
        next(err);
      }
    },
    ...packageBodyParsers(options.packageBodyLimit ?? '5mb'),
    traceContextMiddleware,
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const published = await host.plugins.publish(localsOf(res).actor ?? null, packageFromBody(req.body));
        res.status(201).json(published);
      } catch (err) {
        next(err);
      }
    },
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema: createGraphQLSchema(host),
    formatError: formatRouterError,
    validationRules: [queryLimitsRule(limits)],
    plugins: [queryCostPlugin(limits)],
    parseOptions: { maxTokens: limits.maxTokens },
    introspection: options.introspection ?? options.development === true,
    // Errors are typed data for clients; nothing is logged with request contents.
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();
  const graphqlJson = express.json({ limit: options.bodyLimit ?? '1mb' });
  router.use(
    '/graphql',
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        if (isPost(req) && !req.is(['application/json', 'application/*+json']))
          throw new IntelGraphError('INVALID_INPUT', 'POST /graphql takes application/json', {
            details: { reason: 'unsupported_media_type', accepted: ['application/json'] },
          });
        // The actor is resolved here, not in Apollo's context function, so a bad credential is the
        // auth hook's 4xx rather than Apollo's 500.
        localsOf(res).actor = await auth(req);
        next();
      } catch (err) {
        next(err);
      }
    },
    (req: Request, res: Response, next: NextFunction) => {
      if (isPost(req)) {
        graphqlJson(req, res, next);
        return;
      }
      // GET queries travel in the query string; Apollo needs a body slot all the same.
      req.body = undefined;
      next();
    },
    // After body parsing (its stream events run outside the request's async context).
    traceContextMiddleware,
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const actor = localsOf(res).actor ?? null;
        return { actor, loaders: createGraphQLLoaders(host, actor) };
      },
    }),
  );

  router.use(errorMiddleware);
  return { router, stop: () => apollo.stop() };
}

function localsOf(res: Response): { actor?: Actor | null } {
  return res.locals as { actor?: Actor | null };
}
