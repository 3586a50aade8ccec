import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // PGlite opens in ~0.3 s from the template but a first initdb takes seconds on a busy machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default on two cores is one worker; the tests mostly wait on PostgreSQL and child
    // processes, and two workers took the suite from 12.8 to 9.4 minutes on this machine.
    maxWorkers: 2,
  },
});
