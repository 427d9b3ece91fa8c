import { defineConfig } from 'vite';

// The Api serves the build from its output folder (see Api.csproj, target DashboardBuild).
export default defineConfig({
  base: '/',
  // npm run dev: the page on Vite's port, GraphQL (HTTP and WebSocket) from the Api started with dotnet run.
  server: { proxy: { '/graphql': { target: 'http://localhost:5080', ws: true } } },
  build: {
    outDir: '../wwwroot/dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
});
