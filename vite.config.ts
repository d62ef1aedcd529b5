import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const THEME = '#0f1419';

export default defineConfig({
  plugins: [
    react(),
    // Offline first: the service worker precaches the whole build (engine worker, Monaco and its
    // TypeScript worker, wasm, icons), so after one visit the app runs with no network at all.
    VitePWA({
      injectRegister: 'script',
      registerType: 'autoUpdate',
      manifest: {
        name: 'Brokerlab',
        short_name: 'Brokerlab',
        description: 'An offline lab for message brokers and event-driven architecture, on a deterministic simulator.',
        theme_color: THEME,
        background_color: THEME,
        display: 'standalone',
        start_url: './',
        scope: './',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        clientsClaim: true,
        skipWaiting: true,
        // Monaco's TypeScript worker alone is several megabytes.
        maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
        globPatterns: ['**/*.{js,css,html,wasm,svg,png,ico,json,ttf,woff,woff2,webmanifest}'],
        navigateFallback: 'index.html',
      },
    }),
  ],
  worker: { format: 'es' },
  server: { port: 5173, host: '127.0.0.1' },
  preview: { port: 4173, host: '127.0.0.1', strictPort: true },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 8192 },
});
