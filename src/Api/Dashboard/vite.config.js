import { defineConfig } from 'vite';

// The Api serves the build from its output folder (see Api.csproj, target DashboardBuild).
export default defineConfig({
  base: '/',
  build: {
    outDir: '../wwwroot/dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
});
