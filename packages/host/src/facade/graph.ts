import type {
  Actor,
  CaseListQuery,
  CasePage,
  CaseRecord,
  GraphEntity,
  GraphNeighbor,
  GraphNeighborsQuery,
  GraphPage,
  GraphSearchHit,
  GraphSearchQuery,
} from '@intelgraph/core';
import { actorOf, type HostContext } from './context.js';

/**
 * `host.graph`: reads of the actor's org's knowledge graph and cases. Another org's entity or case is
 * simply absent (`null`, or `NOT_FOUND`), never a hint that it exists elsewhere.
 *
 * @example
 * ```ts
 * const { items } = await host.graph.search(analyst, { q: 'acme', limit: 10 });
 * const person = await host.graph.entity(analyst, 'p-1');
 * ```
 */
export interface GraphApi {
  /** An entity of the actor's org, or null. */
  entity(actor: Actor, id: string): Promise<GraphEntity | null>;
  /** Ranked search over the actor's org's entities. */
  search(actor: Actor, query: GraphSearchQuery): Promise<GraphPage<GraphSearchHit>>;
  /** The neighbours of an entity of the actor's org. */
  neighbors(actor: Actor, query: GraphNeighborsQuery): Promise<GraphPage<GraphNeighbor>>;
  /** A case of the actor's org, or null. */
  case(actor: Actor, caseId: string): Promise<CaseRecord | null>;
  /** Cases of the actor's org, newest first. */
  cases(actor: Actor, query?: Omit<CaseListQuery, 'orgId'>): Promise<CasePage>;
}

/** Creates `host.graph` over the host's context. */
export function createGraphApi(ctx: HostContext): GraphApi {
  const org = (actor: Actor) => ctx.graph.forOrg(actorOf(actor).orgId);
  return {
    entity: async (actor, id) => org(actor).getEntity(id),
    search: async (actor, query) => org(actor).search(query),
    neighbors: async (actor, query) => org(actor).neighbors(query),
    case: async (actor, id) => ctx.cases.get({ orgId: actorOf(actor).orgId, id }),
    cases: async (actor, query = {}) => ctx.cases.list({ ...query, orgId: actorOf(actor).orgId }),
  };
}
