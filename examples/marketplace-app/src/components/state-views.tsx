import InboxOutlined from '@mui/icons-material/InboxOutlined';
import { Alert, AlertTitle, Box, Button, CircularProgress, Skeleton, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.js';
import type { QueryState } from '../api/hooks.js';

/** A busy placeholder announced to assistive technology. */
export function LoadingState({ label = 'Loading', rows = 3 }: { label?: string; rows?: number }) {
  return (
    <Box role="status" aria-live="polite" aria-label={label} sx={{ py: 2 }}>
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', mb: 1.5 }}>
        {/* The status region carries the label; the spinner is decoration. */}
        <CircularProgress size={18} aria-hidden />
        <Typography variant="body2" color="text.secondary">
          {label}…
        </Typography>
      </Stack>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <Skeleton key={i} variant="rounded" height={28} sx={{ mb: 1 }} />
      ))}
    </Box>
  );
}

/** An error with its API code and, when given, a way to try again. */
export function ErrorState({
  error,
  title,
  onRetry,
}: {
  error: ApiError;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Retry
          </Button>
        ) : undefined
      }
      sx={{ my: 1 }}
    >
      <AlertTitle>{title ?? 'Something went wrong'}</AlertTitle>
      <Typography variant="body2" component="span">
        {error.message}
      </Typography>{' '}
      <Typography variant="caption" component="code" sx={{ fontFamily: 'monospace', opacity: 0.8 }}>
        ({error.code})
      </Typography>
    </Alert>
  );
}

/** Nothing to show yet, said plainly, with an optional next step. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Box
      sx={{
        textAlign: 'center',
        py: 5,
        px: 2,
        color: 'text.secondary',
        border: 1,
        borderColor: 'divider',
        borderStyle: 'dashed',
        borderRadius: 2,
      }}
    >
      <InboxOutlined sx={{ fontSize: 40, mb: 1, opacity: 0.6 }} aria-hidden />
      <Typography variant="subtitle1" component="p" color="text.primary">
        {title}
      </Typography>
      {children ? (
        <Typography variant="body2" component="div" sx={{ mt: 0.5 }}>
          {children}
        </Typography>
      ) : null}
      {action ? <Box sx={{ mt: 2 }}>{action}</Box> : null}
    </Box>
  );
}

/**
 * Renders a query's loading, error and empty states, and `children` with the data otherwise.
 * While a refetch is in flight the previous data stays on screen.
 */
export function QueryView<TData>({
  state,
  loadingLabel,
  isEmpty,
  empty,
  children,
}: {
  state: QueryState<TData>;
  loadingLabel?: string;
  isEmpty?: (data: TData) => boolean;
  empty?: ReactNode;
  children: (data: TData) => ReactNode;
}) {
  if (state.error) return <ErrorState error={state.error} onRetry={state.refetch} />;
  if (state.data === undefined) return <LoadingState label={loadingLabel ?? 'Loading'} />;
  if (isEmpty?.(state.data)) return <>{empty}</>;
  return <>{children(state.data)}</>;
}
