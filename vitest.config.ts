import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{common,catalog,storage,ingest,validators,server,cli,tests,forms}/**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**', 'ui/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: LibreOffice, Ghostscript and Chromium suites are heavy; keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default', './tests/helpers/database-reporter.ts'],
  },
});
