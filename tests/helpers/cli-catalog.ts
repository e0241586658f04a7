// A PGlite catalog in a temporary data folder for the in-process CLI tests (tests/helpers/cli):
// the settings a command reads from the environment, and the catalog migrated by the CLI itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import { runCli } from './cli';

export interface CliCatalog {
  work: string;
  dataDir: string;
  /** Puts back the environment variables it changed and removes the work folder. */
  close(): Promise<void>;
}

/** English messages, text files let in unscanned (no ClamAV database on test machines), `muragat migrate` run. */
export async function createCliCatalog(prefix: string): Promise<CliCatalog> {
  const keys = ['MURAGAT_LANG', 'MURAGAT_MALWARE_POLICY', 'MURAGAT_DATA_DIR'] as const;
  const saved = keys.map((key) => [key, process.env[key]] as const);
  const work = await mkdtemp(path.join(tmpdir(), prefix));
  const dataDir = path.join(work, 'data');
  process.env.MURAGAT_LANG = 'en';
  process.env.MURAGAT_MALWARE_POLICY = 'accept-with-warning';
  process.env.MURAGAT_DATA_DIR = dataDir;
  setConfig(parseConfig({ MURAGAT_DATA_DIR: dataDir, MURAGAT_LANG: 'en', MURAGAT_MALWARE_POLICY: 'accept-with-warning' }));
  expect((await runCli('migrate', '--json')).code).toBe(0);
  return {
    work,
    dataDir,
    async close() {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await rm(work, { recursive: true, force: true });
    },
  };
}
