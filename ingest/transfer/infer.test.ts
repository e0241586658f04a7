import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateFromName, detectLanguage, numberFromName, readDocumentProperties, titleFromName } from './infer';
import { KAZAKH_TEXT, makeDocx, makeOdt, makePdf, RUSSIAN_TEXT } from './testing/fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-infer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('detectLanguage', () => {
  it('tells Kazakh from Russian by the Kazakh-specific letters', () => {
    expect(detectLanguage(KAZAKH_TEXT.join(' '))).toBe('kk');
    expect(detectLanguage(RUSSIAN_TEXT.join(' '))).toBe('ru');
  });
  it('keeps a Russian text quoting one Kazakh name Russian', () => {
    expect(detectLanguage(`${RUSSIAN_TEXT.join(' ')} Сотрудник Әбенова.`)).toBe('ru');
  });
  it('does not guess from too little or non-Cyrillic text', () => {
    expect(detectLanguage('Приказ')).toBeNull();
    expect(detectLanguage('Order on the appointment of the head of department, signed today.')).toBeNull();
  });
});

describe('file-name inference', () => {
  it.each([
    ['2025-03-01 Бұйрық №12-н.txt', '2025-03-01'],
    ['15.09.2025_Письмо_№45.txt', '2025-09-15'],
    ['akt_20250520.pdf', '2025-05-20'],
    ['2025-02-30 invalid.txt', undefined],
    ['scan-0001.pdf', undefined],
  ])('date of %s', (name, date) => expect(dateFromName(name)).toBe(date));

  it('reads numbers and clean titles', () => {
    expect(numberFromName('2025-03-01 Бұйрық №12-н.txt')).toBe('12-н');
    expect(numberFromName('Письмо No 45.docx')).toBe('45');
    expect(numberFromName('Акт.pdf')).toBeUndefined();
    expect(titleFromName('2025-03-01 Бұйрық №12-н.txt')).toBe('Бұйрық');
    expect(titleFromName('15.09.2025_Письмо_№45.txt')).toBe('Письмо');
    expect(titleFromName('akt_proverki.pdf')).toBe('Akt proverki');
  });
});

describe('readDocumentProperties', () => {
  it('reads docx core/app properties and body text', async () => {
    const file = path.join(dir, 'a.docx');
    await writeFile(file, makeDocx({ title: 'Бұйрық & хат', author: 'Сейітова', created: '2025-04-02T09:30:00Z', paragraphs: KAZAKH_TEXT, pages: 3 }));
    const { properties, error } = await readDocumentProperties(file);
    expect(error).toBeUndefined();
    expect(properties).toMatchObject({ title: 'Бұйрық & хат', author: 'Сейітова', date: '2025-04-02', pages: 3 });
    expect(properties.text).toContain('БҰЙЫРАМЫН');
  });
  it('reads odt meta and content', async () => {
    const file = path.join(dir, 'a.odt');
    await writeFile(file, makeOdt({ title: 'Приказ', created: '2025-06-15T11:00:00', paragraphs: RUSSIAN_TEXT, pages: 2 }));
    const { properties } = await readDocumentProperties(file);
    expect(properties).toMatchObject({ title: 'Приказ', date: '2025-06-15', pages: 2 });
    expect(detectLanguage(properties.text!)).toBe('ru');
  });
  it('reads PDF information and page count', async () => {
    const file = path.join(dir, 'a.pdf');
    await writeFile(file, await makePdf({ title: 'Акт проверки', author: 'Отдел', created: new Date(Date.UTC(2025, 4, 19, 12)), pages: 3 }));
    expect((await readDocumentProperties(file)).properties).toEqual({ title: 'Акт проверки', author: 'Отдел', date: '2025-05-19', pages: 3 });
  });
  it('decodes Windows-1251 text files', async () => {
    const file = path.join(dir, 'cp1251.txt');
    // "Приказ" in Windows-1251.
    await writeFile(file, Buffer.from([0xcf, 0xf0, 0xe8, 0xea, 0xe0, 0xe7]));
    expect((await readDocumentProperties(file)).properties.text).toBe('Приказ');
  });
  it('reports a damaged docx instead of throwing', async () => {
    const file = path.join(dir, 'broken.docx');
    await writeFile(file, 'PK\u0003\u0004 not really a zip');
    const { properties, error } = await readDocumentProperties(file);
    expect(properties).toEqual({});
    expect(error).toBeTruthy();
  });
});
