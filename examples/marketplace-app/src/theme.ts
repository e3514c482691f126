import { createTheme } from '@mui/material/styles';

/** The focus ring: a dark outline with a white halo, visible on light surfaces and the indigo app bar. */
const FOCUS_RING = {
  outline: '3px solid #1a237e',
  outlineOffset: '2px',
  boxShadow: '0 0 0 5px #ffffff',
} as const;

/**
 * The app's look: a calm indigo primary, rounded surfaces, readable density. Every colour that carries
 * white text or sits as text on the page meets WCAG AA (4.5:1) on white and on the page background.
 */
export const theme = createTheme({
  palette: {
    mode: 'light',
    primary: { main: '#3949ab' },
    // Teal 700+ (the 600 shade is 4.31:1 on white), a dark orange (MUI's is 3.11:1) and a dark blue for
    // info ("pending" chips: MUI's is 3.85:1).
    secondary: { main: '#00695c' },
    warning: { main: '#a84d00' },
    info: { main: '#01579b' },
    success: { main: '#1b5e20' },
    background: { default: '#f5f6fa', paper: '#ffffff' },
  },
  shape: { borderRadius: 10 },
  typography: {
    fontFamily: '"Inter", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h4: { letterSpacing: '-0.02em' },
    button: { textTransform: 'none', fontWeight: 600 },
  },
  components: {
    MuiCssBaseline: {
      styleOverrides: {
        ':focus-visible': FOCUS_RING,
        'a:focus-visible, button:focus-visible, [tabindex]:focus-visible': FOCUS_RING,
      },
    },
    MuiButtonBase: { styleOverrides: { root: { '&.Mui-focusVisible': FOCUS_RING } } },
    MuiButton: { defaultProps: { disableElevation: true } },
    MuiCard: { defaultProps: { variant: 'outlined' } },
    MuiChip: { styleOverrides: { root: { fontWeight: 500 } } },
  },
});
