import { Rating, Stack, Typography } from '@mui/material';
import { plural } from '../format/plural.js';

/** How the marketplace weighs ratings (its default policy: a 3-star prior worth 5 ratings). */
export const WEIGHTED_RATING_EXPLAINED =
  'Weighted score: the average of the ratings pulled toward 3 stars as if 5 neutral ratings were added, ' +
  'and no org counts for more than 3 raters, so a few ratings move it only a little.';

/**
 * A plugin's rating: "No ratings yet" without any, else the weighted score with its stars, the number
 * of ratings and the explanation of the weighting beside it.
 */
export function RatingSummary({
  weighted,
  count,
  explain = false,
}: {
  weighted: number;
  count: number;
  /** Show the explanation as text (else only as the element's description). */
  explain?: boolean;
}) {
  if (count === 0)
    return (
      <Typography variant="body2" color="text.secondary" component="span">
        No ratings yet
      </Typography>
    );
  const label = `Weighted rating ${weighted.toFixed(1)} of 5 from ${plural(count, 'rating')}`;
  return (
    <Stack component="span" spacing={0.25}>
      <Stack
        component="span"
        direction="row"
        spacing={0.5}
        sx={{ alignItems: 'center' }}
        aria-label={label}
        role="img"
        title={WEIGHTED_RATING_EXPLAINED}
      >
        <Rating value={weighted} precision={0.1} readOnly size="small" aria-hidden />
        <Typography variant="body2" component="span" aria-hidden>
          {weighted.toFixed(1)} weighted · {plural(count, 'rating')}
        </Typography>
      </Stack>
      {explain ? (
        <Typography variant="caption" color="text.secondary" component="span">
          {WEIGHTED_RATING_EXPLAINED}
        </Typography>
      ) : null}
    </Stack>
  );
}
