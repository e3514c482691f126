import { Chip } from '@mui/material';
import type { RiskLevel } from '../api/types.js';

const COLORS = { low: 'success', medium: 'warning', high: 'error' } as const;

/** The risk level of a plugin or capability as a coloured chip. */
export function RiskBadge({ risk, size = 'small' }: { risk: RiskLevel; size?: 'small' | 'medium' }) {
  return (
    <Chip
      size={size}
      label={`${risk} risk`}
      color={COLORS[risk] ?? 'default'}
      variant={risk === 'low' ? 'outlined' : 'filled'}
      sx={{ textTransform: 'capitalize', fontWeight: 600 }}
    />
  );
}
