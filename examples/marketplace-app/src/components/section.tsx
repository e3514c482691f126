import { Paper, Stack, Typography } from '@mui/material';
import { type ReactNode, useId } from 'react';

/** A titled panel; its heading names the region for assistive technology. */
export function Section({
  title,
  actions,
  children,
  level = 2,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  level?: 2 | 3;
}) {
  const id = useId();
  return (
    <Paper
      component="section"
      aria-labelledby={id}
      variant="outlined"
      sx={{ p: { xs: 2, md: 3 }, borderRadius: 2 }}
    >
      <Stack direction="row" sx={{ mb: 2, alignItems: 'center', justifyContent: 'space-between', gap: 1 }}>
        <Typography
          id={id}
          variant={level === 2 ? 'h6' : 'subtitle1'}
          component={`h${level}`}
          sx={{ fontWeight: 600 }}
        >
          {title}
        </Typography>
        {actions}
      </Stack>
      {children}
    </Paper>
  );
}
