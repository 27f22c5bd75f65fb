import { defineConfig } from 'vitest/config'

// Resolve workspace packages to their TypeScript sources, so tests need no build step.
export default defineConfig({
  resolve: { conditions: ['hookbox-source'] },
  ssr: { resolve: { conditions: ['hookbox-source'] } },
  test: {
    // Node's own resolution too: the CLI finds store packages with createRequire, as a host project would.
    execArgv: ['--conditions=hookbox-source'],
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
