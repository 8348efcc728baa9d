import { defineConfig } from 'vitest/config';

// Suites are split by what they need (see README "Tests"):
//   default  *.test.ts          pure TS, no native engine, no network
//   model    *.model.test.ts    loads node-llama-cpp / ggml on tiny models we make ourselves
//   slow     *.slow.test.ts     long parity sweeps and benchmarks-as-tests
const exclude = ['**/node_modules/**', '**/dist/**'];
const shared = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
};
// Third-party packages that also publish a `source` export (TypeScript) are inlined, so Vite
// transforms the .ts that condition resolves to instead of handing it to Node.
const server = { deps: { inline: ['eventsource-parser', /@ai-sdk\//, /node_modules\/ai\//] } };
export default defineConfig({
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'default',
          globalSetup: ['./vitest.global-setup.ts'],
          server,
          include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts', 'apps/*/server/**/*.test.ts'],
          exclude: [...exclude, '**/*.model.test.ts', '**/*.slow.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'model',
          globalSetup: ['./vitest.global-setup.ts'],
          server,
          include: ['packages/*/src/**/*.model.test.ts'],
          exclude,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        ...shared,
        test: {
          name: 'slow',
          globalSetup: ['./vitest.global-setup.ts'],
          server,
          include: ['packages/*/src/**/*.slow.test.ts'],
          exclude,
          testTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        ...shared,
        test: {
          // Studio pages in Debian's Chromium on a real quickstart run (npm run test:browser)
          name: 'browser',
          globalSetup: ['./vitest.global-setup.ts'],
          server,
          include: ['apps/*/test/**/*.browser.test.ts'],
          exclude,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
