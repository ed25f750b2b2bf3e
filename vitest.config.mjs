import { defineConfig } from 'vitest/config';

// Integration tests share one PostgreSQL and one Redis and spawn child
// processes with the agent preloaded: run files one at a time on 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
