import type { RatingRecord } from '@intelgraph/core';

/** The prior and damping of {@link weightedRating}. */
export interface RatingPolicy {
  /** Prior mean in stars: what a plugin with no ratings shows. Default 3 (the middle of 1–5). */
  priorMean: number;
  /** Prior weight, in ratings: how many ratings the prior counts as. Default 5. */
  priorWeight: number;
  /**
   * Cap on the total weight of one org's ratings. An org with n ratings weighs min(√n, cap); each of its
   * ratings weighs that divided by n. Default 3: one org can never count for more than three
   * independent users, however many accounts it rates with.
   */
  maxOrgWeight: number;
}

/**
 * The default {@link RatingPolicy}: prior 3 stars worth 5 ratings, one org worth at most 3.
 *
 * @example
 * ```ts
 * import { DEFAULT_RATING_POLICY, weightedRating } from '@intelgraph/marketplace';
 * weightedRating(ratings, { ...DEFAULT_RATING_POLICY, priorWeight: 10 });
 * ```
 */
export const DEFAULT_RATING_POLICY: Readonly<RatingPolicy> = Object.freeze({
  priorMean: 3,
  priorWeight: 5,
  maxOrgWeight: 3,
});

/** The displayed score of a plugin. */
export interface RatingSummary {
  /** Bayesian weighted average, 1–5, rounded to 2 decimals. */
  score: number;
  /** Plain average of the stars (null without ratings). */
  average: number | null;
  count: number;
  /** Number of distinct orgs that rated. */
  orgs: number;
  /** Effective weight of the ratings after org damping. */
  effectiveCount: number;
}

/**
 * The Bayesian weighted average of ratings with per-org damping:
 *
 *   score = (C·m + Σ wᵢ·starsᵢ) / (C + Σ wᵢ)
 *
 * with prior mean m and prior weight C from the policy, and weights wᵢ = min(√nₒ, cap) / nₒ for a rating
 * from an org that has nₒ ratings. A flood of a hundred 5-star ratings from one org therefore moves the
 * score like three independent users, not like a hundred.
 *
 * @example
 * ```ts
 * import { weightedRating } from '@intelgraph/marketplace';
 * weightedRating([]).score; // 3
 * weightedRating([{ stars: 5, orgId: 'a' }, { stars: 4, orgId: 'b' }]).score; // 3.43
 * ```
 */
export function weightedRating(
  ratings: readonly Pick<RatingRecord, 'stars' | 'orgId'>[],
  policy: RatingPolicy = DEFAULT_RATING_POLICY,
): RatingSummary {
  const perOrg = new Map<string, number>();
  for (const r of ratings) perOrg.set(r.orgId, (perOrg.get(r.orgId) ?? 0) + 1);
  let weighted = 0;
  let weight = 0;
  let sum = 0;
  for (const r of ratings) {
    const n = perOrg.get(r.orgId) ?? 1;
    const w = Math.min(Math.sqrt(n), policy.maxOrgWeight) / n;
    weighted += w * r.stars;
    weight += w;
    sum += r.stars;
  }
  const score = (policy.priorWeight * policy.priorMean + weighted) / (policy.priorWeight + weight);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    score: round(score),
    average: ratings.length > 0 ? round(sum / ratings.length) : null,
    count: ratings.length,
    orgs: perOrg.size,
    effectiveCount: round(weight),
  };
}
