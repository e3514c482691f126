// Ratings: only users whose org installed a plugin may rate it; the summary is the weighted rating.
import { type Actor, IntelGraphError, parseInput, type RatingRecord } from '@intelgraph/core';
import { z } from 'zod';
import type { Marketplace } from '../marketplace.js';
import { type RatingSummary, weightedRating } from '../rating.js';
import { actorOf, type MarketContext, PluginId } from './context.js';

const RateSchema = z
  .object({ stars: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() })
  .strict();

/** The rating methods of {@link Marketplace}. */
export type RatingMethods = Pick<Marketplace, 'rate' | 'rating'>;

/** Ratings over a marketplace context. */
export function createRatings(ctx: MarketContext): RatingMethods {
  return {
    rate: (actor, pluginId, input) => rate(ctx, actor, pluginId, input),
    rating: (pluginId) => rating(ctx, pluginId),
  };
}

async function rate(
  ctx: MarketContext,
  actorInput: Actor,
  pluginId: string,
  input: { stars: number; comment?: string },
): Promise<RatingRecord> {
  const actor = actorOf(actorInput);
  const id = parseInput(PluginId, pluginId, 'pluginId');
  const v = parseInput(RateSchema, input, 'rating');
  if (!(await ctx.store.getInstallation(actor.orgId, id)))
    throw new IntelGraphError('FORBIDDEN', `only users whose org installed ${id} may rate it`);
  const at = ctx.now();
  const saved = await ctx.store.upsertRating({
    pluginId: id,
    userId: actor.userId,
    orgId: actor.orgId,
    stars: v.stars,
    comment: v.comment ?? null,
    createdAt: at,
    updatedAt: at,
  });
  ctx.markDirty();
  return saved;
}

async function rating(ctx: MarketContext, pluginId: string): Promise<RatingSummary> {
  const id = parseInput(PluginId, pluginId, 'pluginId');
  return weightedRating(await ctx.store.listRatings(id), ctx.ratingPolicy);
}
