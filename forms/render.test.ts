import { describe, expect, it } from 'vitest';
import { validateBytes } from '../validators/pdfa';
import { embedFormFonts } from './fonts';
import { chainSpaces, paginate, wrap, type Box } from './layout';
import { createPdfaBase } from '../ingest/convert/pdfa-writer';
import { definitionOf, formToCsv, formToJson, parseFormCsv, parseFormJson, renderForm } from './render';
import * as fx from './testing/fixtures';
import { collapse, pdfText } from './testing/pdf-text';
import type { FormLanguage, FormModel } from './types';

const DATE = new Date('2026-02-15T08:00:00Z');
const LANGS: FormLanguage[] = ['kk', 'ru'];

/** The seed's headings, the column-number row and the totals each form must show. */
const CASES: { name: string; model: () => FormModel; expect: Record<FormLanguage, string[]> }[] = [
  {
    name: 'App. 26 nomenclature',
    model: fx.nomenclature,
    expect: {
      kk: ['ІСТЕР НОМЕНКЛАТУРАСЫ', 'БЕКІТЕМІН', '2025 жылға арналған', '1 2 3 4 5', '01. Басшылық', '5 жыл «СТК» белгісімен, 23-тармақ', 'Тұрақты, 26а-тармақ',
        '2025 жылы жүргізілген істердің санаттары мен саны туралы қорытынды жазба', 'Сақтау мерзімі бойынша', 'Оның ішінде', 'өтпелілер', '"СТК" белгісімен', 'Уақытша (қоса алғанда 10 жылға дейін) 3 0 1', 'Жиыны: 7 1 1',
        'Ұйымның ОСК (СК) хаттамасымен келісілді', '12.12.2024 № 12', 'Мемлекеттік архив мекемесінің СТК хаттамасымен келісілді', '18.12.2024 № 45', 'Құрылымдық бөлімшелер басшыларының қолбелгілері', 'Жиынтық мәлімет ұйымның архивіне тапсырылды.'],
      ru: ['НОМЕНКЛАТУРА ДЕЛ', 'УТВЕРЖДАЮ', 'на 2025 год', '1 2 3 4 5', '01. Руководство', '5 лет ЭПК, п. 23', 'Постоянно, п. 26а',
        'Итоговая запись о категориях и количестве дел, заведенных в 2025 году', 'По срокам хранения', 'В том числе', 'переходящих', 'с отметкой "ЭПК"', 'Временного (до 10 лет включительно) 3 0 1', 'Итого: 7 1 1',
        'Согласована протоколом ЦЭК (ЭК) организации', 'Согласована протоколом ЭПК государственного архивного учреждения', 'Визы руководителей структурных подразделений', 'Итоговые сведения переданы в архив организации.'],
    },
  },
  {
    name: 'App. 30 inventory of e-dossiers (5)',
    model: () => fx.inventory(5),
    expect: {
      kk: ['Электрондық іс Тізімдемесі', '№ 3', '2025 жылдағы', 'тұрақты сақталатын', '1 2 3 4 5 6 7 8', 'Аталған тізімдемеге № 1 – № 5 5 (бес) электрондық іс енгізілді', '5 (бес) электрондық істі тапсырды.', '5 (бес) электрондық істі қабылдады.', 'Келісілді** СК отырысының хаттамасы', '* Тұрақты сақталатын істер тізімдемесінде 7-баған ресімделмейді.'],
      ru: ['Опись № 3', 'электронных дел', 'постоянного хранения', 'за 2025 год', '1 2 3 4 5 6 7 8', 'В данную опись внесено 5 (пять) электронных дел с № 1 по № 5', 'Передал 5 (пять) электронных дел.', 'Принял 5 (пять) электронных дел.', 'Согласовано** Протокол заседания ЭК', '* Графа 7 не оформляется в описях дел постоянного хранения.'],
    },
  },
  {
    name: 'App. 30 inventory of e-dossiers (21, over 10 years)',
    model: () => fx.inventory(21, 'over_10'),
    expect: {
      kk: ['уақытша (10 жылдан жоғары) сақталатын', '21 (жиырма бір) электрондық іс енгізілді', '15 жыл «СТК» белгісімен, 112-тармақ'],
      ru: ['временного (свыше 10 лет) хранения', 'В данную опись внесено 21 (двадцать одно) электронное дело с № 1 по № 21', 'Передал 21 (двадцать одно) электронное дело.', '15 лет ЭПК, п. 112'],
    },
  },
  {
    name: 'App. 31 transfer schedule',
    model: fx.schedule,
    expect: {
      kk: ['Ұйым архивіне электрондық істі қабылдау КЕСТЕСІ', '2026 жылы', 'БЕКІТЕМІН', '(жасалған орны)', '1 2 3 4 5', 'Қаржы басқармасы 02.03.2026 Бас маман, Д. М. Оспанов'],
      ru: ['ГРАФИК приема электронных дел в архив организации', 'в 2026 году', 'УТВЕРЖДАЮ', '(место составления)', '1 2 3 4 5', 'Финансовое управление 02.03.2026 Главный специалист, Д. М. Оспанов'],
    },
  },
  {
    name: 'App. 32 internal inventory',
    model: () => fx.internalInventory(5),
    expect: {
      kk: ['№ 03-12 электрондық істің электрондық түрдегі құжаттарының ішкі тізімдемесі', '1 2 3 4 5 6 7', 'Барлығы: 5 (бес) электрондық түрдегі құжат, 9 (тоғыз) сақтау объектісі.', 'Электрондық істі сақтау объектілерінің жалпы көлемі 62 340 байт'],
      ru: ['Внутренняя опись документов в электронном виде электронного дела № 03-12', '1 2 3 4 5 6 7', 'Итого: 5 (пять) документов в электронном виде, 9 (девять) объектов хранения.', 'Общий объем объектов хранения электронного дела 62 340 байтов'],
    },
  },
  {
    name: 'App. 33 acceptance act',
    model: fx.acceptanceAct,
    expect: {
      kk: ['Ұйымды БҚҚ қызметінің электрондық құжаттары мен істерін қабылдау-тапсыру актісі', '№ 4 АКТ', 'Электрондық құжаттарды қабылдау-тапсыру туралы', 'Бар Жоқ', '1 2 3 4 5 6 7', 'Барлығы қабылданды: 1) 2 (екі) электрондық құжат.', '(цифрмен және жазбаша)', 'Электрондық құжаттардың жай-күйі'],
      ru: ['Акт приема-передачи электронных документов и дел службы ДОУ организации', 'АКТ № 4', 'О приеме-передаче электронных документов', 'наличие Отсутствует', '1 2 3 4 5 6 7', 'Итого принято: 1) 2 (два) электронных документа.', '(цифрами и прописью)', 'Состояние электронных документов', 'Серікбаева А. Б. передал (а), а Жұмабаева Г. Т. принял (а) электронные документы за 2025 год'],
    },
  },
];

describe('official forms as PDF/A-1b', () => {
  for (const c of CASES) {
    for (const lang of LANGS) {
      it(`${c.name} in ${lang}: compliant, with the seed's headings, numbers and totals`, async () => {
        const model = c.model();
        const pdf = await renderForm(model, lang, 'pdf', { date: DATE, author: 'test' });
        expect(pdf.mime).toBe('application/pdf');
        const report = validateBytes(pdf.bytes);
        expect(report.failures).toEqual([]);
        expect(report.compliant).toBe(true);
        const read = await pdfText(pdf.bytes);
        if (!read) return;
        const def = definitionOf(model.kind);
        // Every leaf heading word for word (App. 33 prints its signature group once over two sub-columns).
        const headings = model.kind === 'acceptance-act' ? def.headings(lang).map((h) => h.replace(/: .*$/, '')) : def.headings(lang);
        for (const heading of headings) expect(read.text).toContain(collapse(heading));
        for (const text of c.expect[lang]) expect(read.text).toContain(collapse(text));
      }, 60_000);
    }
  }

  it('the same model renders the same bytes twice (reproducible for signing)', async () => {
    const a = await renderForm(fx.acceptanceAct(), 'kk', 'pdf', { date: DATE });
    const b = await renderForm(fx.acceptanceAct(), 'kk', 'pdf', { date: DATE });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });
});

describe('long tables', () => {
  it('wrap long text over pages, repeat the heading and number row, and keep the totals with the last row', async () => {
    const model = fx.internalInventory(60);
    // A title longer than a whole page: the row is split between pages, nothing is cut.
    const words = Array.from({ length: 900 }, (_, i) => `сөз${i}`);
    model.rows[10]!.title = `${words.join(' ')} СОҢЫ`;
    model.rows[20]!.controlCharacteristic = 'f'.repeat(64);
    const pdf = await renderForm(model, 'ru', 'pdf', { date: DATE });
    expect(validateBytes(pdf.bytes).compliant).toBe(true);
    const read = await pdfText(pdf.bytes);
    if (!read) return;
    expect(read.pages.length).toBeGreaterThan(3);
    for (const [n, page] of read.pages.entries()) {
      expect(page, `page ${n + 1}`).toContain('Заголовок документа в электронном виде');
      expect(page, `page ${n + 1}`).toContain('1 2 3 4 5 6 7');
      expect(page, `page ${n + 1}`).toContain(`${n + 1} / ${read.pages.length}`);
    }
    // Every word of the long title is there, in order, the last one too.
    expect(read.text).toContain(`${words.slice(0, 50).join(' ')}`);
    expect(read.text).toContain(`${words.slice(-50).join(' ')} СОҢЫ`);
    expect(read.text).toContain('ffffffffffffffff ffffffffffffffff ffffffffffffffff ffffffffffffffff');
    // The last row, the totals and the compiler's signature share the last page.
    const last = read.pages.at(-1)!;
    expect(last).toContain('№ 60-ж бұйрық');
    expect(last).toContain('Итого: 60 (шестьдесят) документов в электронном виде');
    expect(last).toContain('А. Б. Серікбаева');
  }, 120_000);

  it('breaks a word wider than its column with a hyphen and never exceeds the width', async () => {
    const doc = await createPdfaBase();
    const { regular } = await embedFormFonts(doc);
    const lines = wrap(regular, 9, 'Электрондықтүрдегіқұжаттардыңішкітізімдемесі және 0123456789abcdef0123456789abcdef', 60);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(regular.width(line, 9)).toBeLessThanOrEqual(60.01);
    expect(lines[0]!.endsWith('-')).toBe(true);
    // Digits and hashes are cut without a hyphen, so they read back whole.
    expect(lines.filter((l) => /\d/.test(l)).every((l) => !l.endsWith('-'))).toBe(true);
    expect(lines.join('').replace(/[- ]/g, '')).toBe('Электрондықтүрдегіқұжаттардыңішкітізімдемесіжәне0123456789abcdef0123456789abcdef');
  });
});

describe('JSON and CSV renditions', () => {
  for (const c of CASES) {
    for (const lang of LANGS) {
      it(`${c.name} in ${lang} round-trips`, async () => {
        const model = c.model();
        const json = await renderForm(model, lang, 'json');
        const back = parseFormJson(Buffer.from(json.bytes).toString('utf8'));
        expect(back).toEqual({ language: lang, model });
        const document = JSON.parse(formToJson(model, lang)) as { columns: { heading: string }[]; appendix: number };
        expect(document.columns.map((c) => c.heading)).toEqual(definitionOf(model.kind).headings(lang));
        // The official column numbers: App. 33's signature status is one number over two sub-columns.
        const numbers = (document.columns as unknown as { number: number }[]).map((c) => c.number);
        expect(numbers.at(-1)).toBe(model.kind === 'acceptance-act' ? 7 : numbers.length);

        const csv = await renderForm(model, lang, 'csv');
        const text = Buffer.from(csv.bytes).toString('utf8');
        expect(text.startsWith('\uFEFF')).toBe(true);
        expect(text).toBe(formToCsv(model, lang));
        const parsed = parseFormCsv(text);
        const def = definitionOf(model.kind);
        expect(parsed.headings).toEqual(def.headings(lang));
        const printed = def.rows(model as never, lang);
        expect(parsed.rows).toHaveLength(printed.length);
        printed.forEach((row, i) => {
          if (row.kind === 'cells') expect(parsed.rows[i]).toEqual(row.cells.map((x) => x.replace(/\u00a0/g, ' ')));
          else expect(parsed.rows[i]).toContain(row.text);
        });
      });
    }
  }

  it('refuses a document that is not a form rendition', () => {
    expect(() => parseFormJson('{"schema":"other"}')).toThrow(expect.objectContaining({ code: 'forms.json_invalid' }));
    expect(() => parseFormJson('not json')).toThrow(expect.objectContaining({ code: 'forms.json_invalid' }));
  });

  it('refuses totals that disagree with the rows, naming them', async () => {
    const model = fx.acceptanceAct();
    model.totals.documents = 5;
    await expect(renderForm(model, 'ru', 'pdf')).rejects.toMatchObject({ code: 'forms.totals_mismatch', params: { problems: 'totals.documents 5 ≠ 2' } });
  });
});

describe('paginate', () => {
  const box = (name: string, height: number, extra: Partial<Box> = {}): Box & { name: string } => ({ name, height, draw: () => {}, ...extra });
  const names = (pages: ReturnType<typeof paginate>) => pages.map((p) => p.map((x) => (x.box as Box & { name: string }).name));
  const frame = { left: 0, width: 100, top: 100, bottom: 0 };

  it('moves a chained run (section heading + first row, last row + signatures) to the next page together', () => {
    const pages = paginate([box('a', 60), box('section', 10, { keepWithNext: true }), box('row', 35)], frame);
    expect(names(pages)).toEqual([['a'], ['section', 'row']]);
    const tail = paginate([box('r1', 50), box('last', 20, { keepWithNext: true }), box('totals', 10, { keepWithNext: true }), box('signature', 30)], frame);
    expect(names(tail)).toEqual([['r1'], ['last', 'totals', 'signature']]);
    // A gap between the last row and the signatures does not break the chain.
    const gap = chainSpaces([box('r1', 50), box('last', 20, { keepWithNext: true }), box('gap', 10, { space: true }), box('signature', 30)]);
    expect(names(paginate(gap, frame))).toEqual([['r1'], ['last', 'gap', 'signature']]);
  });

  it('repeats the table heading on a new page, drops a space at the top, and breaks a run taller than a page', () => {
    const header = box('header', 20);
    const rows = [box('r1', 40, { repeat: header }), box('r2', 40, { repeat: header }), box('space', 10, { space: true }), box('r3', 40, { repeat: header })];
    expect(names(paginate([{ ...header, keepWithNext: true }, ...rows], frame))).toEqual([['header', 'r1', 'r2'], ['header', 'r3']]);
    const long = [box('x', 60, { keepWithNext: true }), box('y', 60, { keepWithNext: true }), box('z', 60)];
    expect(names(paginate(long, frame))).toEqual([['x'], ['y'], ['z']]);
  });
});
