// Office Open XML files that declare a DTD (an entity bomb) are refused before conversion with
// that reason; ordinary ones, including a DOCTYPE-like text in the body, are not.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { makeDocx } from '../transfer/testing/fixtures';
import type { FormatId } from '../scan/index';
import { createConverter, officeXmlWithDtd } from './converter';

const REALWORLD = process.env.MURAGAT_REALWORLD_DIR ?? '/work/shared/corpus/realworld-dev';
const docx: FormatId = { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', name: 'DOCX', family: 'office', extensionMatches: true, encrypted: false, problems: [] };
const BOMB = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol1 "&lol;&lol;&lol;&lol;">\n]>\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-office-xml-'));
  const plain = makeDocx({ paragraphs: ['Мұрағат анықтамасы: <!DOCTYPE> сөзі мәтінде болуы мүмкін.'] });
  await writeFile(path.join(dir, 'plain.docx'), plain);
  const parts = unzipSync(plain);
  const body = new TextDecoder().decode(parts['word/document.xml']!).replace(/^<\?xml[^>]*\?>/, BOMB);
  await writeFile(path.join(dir, 'bomb.docx'), zipSync({ ...parts, 'word/document.xml': strToU8(body) }));
  // The DOCTYPE after 40 KB of comment that does not compress (the part's head is read in
  // growing pieces, not a first kilobyte only), stored and deflated.
  let noise = '';
  for (let i = 0; noise.length < 40_000; i++) noise += ((i * 2654435761) >>> 0).toString(36);
  const late = `<?xml version="1.0"?>\n<!-- ${noise} -->\n${BOMB.replace(/^<\?xml[^>]*\?>\n/, '')}`;
  const lateBody = new TextDecoder().decode(parts['word/document.xml']!).replace(/^<\?xml[^>]*\?>/, late);
  await writeFile(path.join(dir, 'late.docx'), zipSync({ ...parts, 'word/document.xml': strToU8(lateBody) }));
  await writeFile(path.join(dir, 'late-stored.docx'), zipSync({ ...parts, 'word/document.xml': [strToU8(lateBody), { level: 0 }] }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('officeXmlWithDtd', () => {
  it('names the part that declares a DTD, and finds none in an ordinary file', async () => {
    expect(await officeXmlWithDtd(path.join(dir, 'bomb.docx'))).toBe('word/document.xml');
    expect(await officeXmlWithDtd(path.join(dir, 'plain.docx'))).toBeNull();
  });

  it('finds a DOCTYPE after a long comment, in a deflated and in a stored part', async () => {
    expect(await officeXmlWithDtd(path.join(dir, 'late.docx'))).toBe('word/document.xml');
    expect(await officeXmlWithDtd(path.join(dir, 'late-stored.docx'))).toBe('word/document.xml');
  });

  it.skipIf(!existsSync(path.join(REALWORLD, 'office/54764.xlsx')))('finds the entity bomb of a real workbook (Apache POI 54764.xlsx)', async () => {
    expect(await officeXmlWithDtd(path.join(REALWORLD, 'office/54764.xlsx'))).toBe('xl/sharedStrings.xml');
  });

  it('refuses such a file before conversion with the reason, without starting LibreOffice', async () => {
    const converter = createConverter({ workDir: path.join(dir, 'work') });
    try {
      const [r] = await converter.convertMany([{ path: path.join(dir, 'bomb.docx'), format: docx, outPath: path.join(dir, 'out.pdf') }]);
      expect(r).toMatchObject({ ok: false, problems: [{ code: 'unsafe_xml' }] });
      expect(r!.problems[0]!.message).toContain('word/document.xml');
    } finally {
      await converter.close();
    }
  });
});
