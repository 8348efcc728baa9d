import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The SPA builds into dist/web, which the Studio server (server/app.ts) serves. During
// development (`npm run dev -w apps/studio`) /api is proxied to a running `puyu studio`.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist/web', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': 'http://127.0.0.1:7860' } },
});
