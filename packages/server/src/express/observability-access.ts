import { createHash, timingSafeEqual } from 'node:crypto';
import { type Actor, type Authorizer, IntelGraphError } from '@intelgraph/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Who may read `/metrics` and `/readyz`. */
export interface ObservabilityAccess {
  /** A static bearer token for scrapers and probes (`Authorization: Bearer <token>`). */
  token?: string;
  /** Decides `observability.read` for actors of the auth hook. */
  authorizer: Authorizer;
  auth: (req: Request) => Actor | null | Promise<Actor | null>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function bearerOf(req: Request): string | null {
  const header = req.header('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1] ?? null;
}

/** The operator check, as middleware (`guard`) and as a question (`allows`, for mixed endpoints). */
export interface OperatorCheck {
  guard: RequestHandler;
  /** True for the metrics token or an operator; false for anyone else (never throws for them). */
  allows(req: Request): Promise<boolean>;
}

/**
 * Guards the operator endpoints: the metrics token (compared in constant time) or an actor from the auth
 * hook holding `observability.read`. Metrics cover every org, so an org's own admin is not enough by default.
 * `guard` answers anonymous callers 401 UNAUTHENTICATED and others 403 FORBIDDEN.
 */
export function operatorCheck(access: ObservabilityAccess): OperatorCheck {
  const expected = access.token ? digest(access.token) : null;
  const check = async (req: Request): Promise<void> => {
    const presented = bearerOf(req);
    if (expected && presented && timingSafeEqual(digest(presented), expected)) return;
    const actor = await access.auth(req);
    if (!actor)
      throw new IntelGraphError(
        'UNAUTHENTICATED',
        'this endpoint needs the metrics token or a signed-in operator',
      );
    access.authorizer.require(actor, 'observability.read', 'this endpoint');
  };
  return {
    guard: async (req: Request, _res: Response, next: NextFunction) => {
      try {
        await check(req);
        next();
      } catch (err) {
        next(err);
      }
    },
    allows: (req) =>
      check(req).then(
        () => true,
        () => false,
      ),
  };
}
