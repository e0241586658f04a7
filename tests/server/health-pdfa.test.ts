// /api/health warns, translated, when MURAGAT_PDFA_ENGINE asks for veraPDF and it is missing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig, setConfig } from '../../common/config';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { describeEachDatabase } from '../helpers/db';
import { Client, startTestServer } from './helpers';

const missing = path.join(tmpdir(), 'muragat-no-verapdf-here');
const saved = process.env.VERAPDF_BIN;
// Tools are found through the process-wide configuration.
beforeAll(() => {
  process.env.VERAPDF_BIN = missing;
  setConfig(parseConfig(process.env));
});
afterAll(() => {
  if (saved === undefined) delete process.env.VERAPDF_BIN;
  else process.env.VERAPDF_BIN = saved;
  setConfig(parseConfig(process.env));
});

describeEachDatabase('PDF/A engine in /api/health', (getDb) => {
  const health = async (env: Record<string, string>, lang: string) => {
    const server = await startTestServer(getDb().db, {}, env);
    try {
      return (await new Client(server.url).request('GET', '/api/health', { headers: { 'accept-language': lang } })).body;
    } finally {
      await server.stop();
    }
  };

  it('warns when veraPDF is the engine but not installed; the archive stays up', async () => {
    const en = await health({ MURAGAT_PDFA_ENGINE: 'verapdf', VERAPDF_BIN: missing }, 'en');
    expect(en.status).toBe('ok');
    expect(en.tools.verapdf.found).toBe(false);
    expect(en.warnings).toContainEqual({ code: 'pdfa.health_verapdf_missing', message: expect.stringMatching(/veraPDF is not installed/) });
    const ru = await health({ MURAGAT_PDFA_ENGINE: 'both', VERAPDF_BIN: missing }, 'ru');
    expect(ru.warnings.find((w: { code: string }) => w.code === 'pdfa.health_verapdf_missing').message).toMatch(/veraPDF не установлен/);
    const builtin = await health({ MURAGAT_PDFA_ENGINE: 'builtin', VERAPDF_BIN: missing }, 'en');
    expect(builtin.warnings.map((w: { code: string }) => w.code)).not.toContain('pdfa.health_verapdf_missing');
  });
});
