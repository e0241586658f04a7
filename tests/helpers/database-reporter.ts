// Prints, after vitest's own summary, on which database engines the database suites ran, so a
// CI log shows at a glance that both PGlite and the PostgreSQL server were exercised
// (tests/helpers/db.ts names each suite `[pglite]` or `[postgres]`).
import type { Reporter, TestModule } from 'vitest/node';

const ENGINES = ['pglite', 'postgres'] as const;

export default class DatabaseReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = Object.fromEntries(ENGINES.map((e) => [e, { ran: 0, failed: 0 }])) as Record<(typeof ENGINES)[number], { ran: number; failed: number }>;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'skipped' || state === 'pending') continue;
        for (const engine of ENGINES) {
          if (!test.fullName.includes(`[${engine}]`)) continue;
          counts[engine].ran += 1;
          if (state === 'failed') counts[engine].failed += 1;
        }
      }
    }
    const parts = ENGINES.map((e) => `${e} ${counts[e].ran} tests${counts[e].failed ? ` (${counts[e].failed} failing)` : ''}`);
    const server = counts.postgres.ran ? '' : ' — PostgreSQL server not exercised: set TEST_DATABASE_URL';
    process.stdout.write(`\n Database suites ran on: ${parts.join('; ')}${server}\n`);
  }
}
