import { CssBaseline, ThemeProvider } from '@mui/material';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { ApiProvider } from './api/hooks.js';
import { IdentityProvider } from './auth/identity-context.js';
import { theme } from './theme.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <IdentityProvider>
        <ApiProvider>
          <App />
        </ApiProvider>
      </IdentityProvider>
    </ThemeProvider>
  </StrictMode>,
);
