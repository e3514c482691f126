import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the GraphQL API comes from the demo server (`pnpm demo --serve`, port 4000 by
// default); in production the same server serves this app's dist/ next to /graphql.
const api = process.env.INTELGRAPH_API ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  base: './',
  server: { proxy: { '/graphql': api, '/readyz': api } },
  build: { outDir: 'dist', sourcemap: true },
});
