import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{common,database,accounts,audit,demo,access,jobs,catalog,storage,ingest,validators,server,cli,tests,forms,commission,appraisal,destruction,research,search,preservation}/**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**', 'ui/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A loaded CI machine answers a browser or a server in more than expect.poll's default
    // second; polls end as soon as they match, so a longer bound costs only failing runs.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Two cores: LibreOffice, Ghostscript and Chromium suites are heavy; keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default', './tests/helpers/database-reporter.ts'],
  },
});
