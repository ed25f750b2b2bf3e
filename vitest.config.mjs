import { defineConfig } from 'vitest/config';

// Integration tests share one PostgreSQL and one Redis and spawn child
// processes with the agent preloaded: run files one at a time on 2 cores.
// The set-up file answers the agent's lazy requires of its own TypeScript
// sources (see the file).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/lazyOwnRequires.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
