import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that start the server or a command as a process run dist/: build it when stale.
    globalSetup: ['test/built.ts'],
    testTimeout: 20000,
    pool: 'forks',
  },
});
