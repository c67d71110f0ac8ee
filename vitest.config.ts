import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real worker threads and a real simulator; on a 2-core machine
    // running files in parallel only makes them fight for the same cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'true' },
    // Logs go to a file per test file and are printed only for failing tests.
    setupFiles: ['test/helpers/test-logs.ts'],
  },
});
