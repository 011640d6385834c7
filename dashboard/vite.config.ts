// Vite builds the dashboard into dashboard/dist (gitignored); the API serves it at /dashboard (api/dashboard.ts).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  // Preact's automatic JSX runtime through Vite's own transformer (no Babel preset needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, assetsInlineLimit: 0 },
  // `npx vite dashboard` serves it with hot reload; /admin and /codec go to a local API (npm start).
  server: { proxy: { '/admin': 'http://localhost:3000', '/store': 'http://localhost:3000', '/codec': 'http://localhost:3000' } },
  logLevel: 'warn',
});
