import { existsSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: pure logic (in-thread actors, lockstep replay, a journal on disk, lint),
 * files in parallel. `integration`: files that start actor worker threads, the simulator, child
 * processes or servers, or measure (the bench smoke); they run one file at a time, after the unit
 * files, so that on a 2-core machine they never compete with each other or with unit files.
 *
 * A test file is integration if its name says so (`*.int.test.ts`, `*.sim.test.ts`,
 * `*.ccxt.test.ts`, `*.e2e.test.ts`) or it is listed in INTEGRATION_FILES; every other test file
 * is unit. A new integration test should use one of the suffixes rather than join the list.
 */
const INTEGRATION_NAMES = ['test/**/*.int.test.ts', 'test/**/*.sim.test.ts', 'test/**/*.ccxt.test.ts', 'test/**/*.e2e.test.ts'];
const INTEGRATION_FILES = [
  'test/base/net-server.test.ts',
  'test/bench/bench.test.ts',
  'test/execution/crash-process.test.ts',
  'test/execution/crash-worker.test.ts',
  'test/execution/funding.test.ts',
  'test/execution/multi-leg.test.ts',
  'test/execution/orders.test.ts',
  'test/execution/risk-rules.test.ts',
  'test/execution/venues.test.ts',
  'test/ops/ops-server.test.ts',
  'test/runtime/hot-reload.test.ts',
  'test/runtime/ring-concurrency.test.ts',
  'test/runtime/spin-slots.test.ts',
  'test/runtime/supervisor-timers.test.ts',
  'test/runtime/supervisor.test.ts',
  'test/runtime/wait-strategy.test.ts',
  'test/sim/simulator.test.ts',
];
// A renamed or deleted file must leave the list too, or its successor would silently run as unit.
const stale = INTEGRATION_FILES.filter((file) => !existsSync(new URL(file, import.meta.url)));
if (stale.length > 0) throw new Error(`vitest.config.ts: INTEGRATION_FILES names missing test files: ${stale.join(', ')}`);
const INTEGRATION = [...INTEGRATION_NAMES, ...INTEGRATION_FILES];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'true' },
    // Logs go to a file per test file and are printed only for failing tests.
    setupFiles: ['test/helpers/test-logs.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...INTEGRATION],
          // Vitest's default on 2 cores is one worker; unit files are CPU-bound and independent.
          maxWorkers: '100%',
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
