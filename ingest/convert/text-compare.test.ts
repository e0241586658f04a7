// Both sides of the reproducibility criterion on plain strings: reorderings conversion causes
// pass (footnotes, annotations, right-to-left text, ligatures, hyphenation, white space, runs),
// lost or changed content fails (a dropped paragraph, a changed number, a substituted word).
import { describe, it, expect } from 'vitest';
import { compareTexts, hasWords, normaliseText, tokenise, RUN_LIMIT } from './text-compare';

const BODY = [
  'Мұрағат қорына қабылданған құжаттардың тізімдемесі 2025 жылғы 14 наурыздағы № 47 бұйрық бойынша жасалды.',
  'The retention schedule lists every series of records kept by the department, with its period in years.',
  'Документы по личному составу хранятся семьдесят пять лет после завершения делопроизводства.',
  'Each volume carries its internal inventory, a certification sheet and the number of pages: 312 in total.',
  'Тізімдемені бөлім басшысы бекітеді, көшірмесі сақтау бөліміне беріледі.',
].join('\n');
const FOOTNOTE = 'Note 1: the schedule of 2019 was replaced by this one.';

describe('compareTexts: tolerated reorderings pass', () => {
  it('accepts the same text', () => {
    expect(compareTexts(BODY, BODY)).toMatchObject({ ok: true, missingWords: 0 });
  });

  it('accepts footnotes and endnotes moved to the page foot or the end', () => {
    const lines = BODY.split('\n');
    const source = [lines[0], FOOTNOTE, ...lines.slice(1)].join('\n');
    expect(compareTexts(source, `${BODY}\n${FOOTNOTE}`).ok).toBe(true);
  });

  it('accepts annotation and form text added into the page', () => {
    expect(compareTexts(BODY, `Approved 12.03.2025 by the head of archive\n${BODY}\nField: Ivanov A.`).ok).toBe(true);
  });

  it('accepts lines in another order (columns, reading order)', () => {
    expect(compareTexts(BODY, BODY.split('\n').reverse().join('\n')).ok).toBe(true);
  });

  it('accepts ligatures, full-width digits and soft hyphens', () => {
    const source = 'The ofﬁcial ﬁle of the ﬂeet, sheet ３１２, re\u00ADtention.';
    expect(compareTexts(source, 'The official file of the fleet, sheet 312, retention.').ok).toBe(true);
  });

  it('accepts words hyphenated at line ends and words split over runs', () => {
    const rendition = 'The retention sched-\nule lists every series of re cords kept by the depart-\nment, with its period in years.';
    expect(compareTexts('The retention schedule lists every series of records kept by the department, with its period in years.', rendition).ok).toBe(true);
  });

  it('accepts a compound hyphenated at a line end either way', () => {
    expect(compareTexts('A well-known series of records.', 'A well-\nknown series of records.').ok).toBe(true);
  });

  it('accepts right-to-left text extracted in visual order (letters reversed) and with presentation forms', () => {
    const arabic = 'الأرشيف الوطني يحفظ الوثائق لمدة خمسين سنة';
    const visual = arabic.split(' ').map((w) => [...w].reverse().join('')).reverse().join(' ');
    expect(compareTexts(arabic, visual).ok).toBe(true);
    // Presentation forms (U+FE8D ALEF isolated…) are what some PDFs carry: NFKC maps them back.
    expect(normaliseText('\uFE8D\uFEDF')).toBe('ال');
    expect(compareTexts(`${arabic} 2024`, `${visual} 4202`).ok).toBe(true);
  });

  it('ignores extra white space, bidi marks and case', () => {
    expect(compareTexts(BODY, BODY.toUpperCase().replace(/ /g, '   \u200E')).ok).toBe(true);
  });

  it('in layout mode, tolerates text a spreadsheet does not print, up to a limit', () => {
    const cells = Array.from({ length: 50 }, (_, i) => `cell${i} value`).join('\n');
    const printed = cells.split('\n').slice(0, 47).join('\n');
    expect(compareTexts(cells, printed, 'layout').ok).toBe(true);
    expect(compareTexts(cells, cells.split('\n').slice(0, 30).join('\n'), 'layout').ok).toBe(false);
  });
});

describe('compareTexts: lost or changed content fails', () => {
  it('rejects a dropped paragraph', () => {
    const lines = BODY.split('\n');
    const r = compareTexts(BODY, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    expect(r).toMatchObject({ ok: false, reason: 'passage' });
    expect(r.longestMissingRun).toBeGreaterThanOrEqual(RUN_LIMIT);
  });

  it('rejects a dropped paragraph even in a long document', () => {
    const long = Array.from({ length: 400 }, (_, i) => `Paragraph ${i} of the register describes series ${i} kept in the fonds.`).join('\n');
    const dropped = long.split('\n').filter((_, i) => i !== 200).join('\n');
    expect(compareTexts(long, dropped)).toMatchObject({ ok: false });
  });

  it('rejects a changed number', () => {
    const r = compareTexts(BODY, BODY.replace('312', '321'));
    expect(r).toMatchObject({ ok: false, reason: 'numbers', missingNumbers: ['312'] });
  });

  it('rejects a changed number even in a long document', () => {
    const long = Array.from({ length: 400 }, (_, i) => `Paragraph ${i} of the register describes series ${i} kept in the fonds.`).join('\n');
    expect(compareTexts(long, long.replace('series 250 ', 'series 205 ')).ok).toBe(false);
  });

  it('rejects a substituted word', () => {
    const r = compareTexts(BODY, BODY.replace('семьдесят', 'сорок'));
    expect(r).toMatchObject({ ok: false, reason: 'words' });
    expect(r.examples).toEqual(['семьдесят']);
  });

  it('rejects Kazakh letters lost to a font substitution', () => {
    expect(compareTexts(BODY, BODY.replace(/[әғқңөұүһі]/g, '?')).ok).toBe(false);
  });

  it('rejects another text entirely', () => {
    expect(compareTexts(BODY, 'Совершенно другой документ о поставке канцелярских товаров.').ok).toBe(false);
  });

  it('rejects a missing number in right-to-left text', () => {
    const arabic = 'الأرشيف الوطني يحفظ الوثائق لمدة 50 سنة';
    expect(compareTexts(arabic, arabic.replace('50', '60')).ok).toBe(false);
  });
});

describe('tokenise', () => {
  it('keeps numbers of one digit and drops single letters', () => {
    expect(tokenise('a – 7 б list')).toEqual(['7', 'list']);
    // NFKC spells № as "No" on both sides alike.
    expect(tokenise('№ 7')).toEqual(['no', '7']);
  });

  it('gives long words, repeated, whole (not cut from the text they were found in)', () => {
    const word = 'құжаттардың'.repeat(3);
    expect(tokenise(`${word}, ${word.toUpperCase()} және ${word}`)).toEqual([word, word, 'және', word]);
  });

  it('hasWords answers as tokenise would, without the list', () => {
    for (const text of ['', ' – a . б ', '7', '現', 'infor-\nmation', 'a – 7 б list']) expect(hasWords(text)).toBe(tokenise(text).length > 0);
  });
});

describe('compareTexts: scripts without spaces and glued words', () => {
  it('compares Japanese character by character, whatever the line breaks', () => {
    const source = '現代の代表的な企業形態の一つである株式会社';
    expect(compareTexts(source, '現代の代表的な企業\n形態の一つである株式会社').ok).toBe(true);
    expect(compareTexts(source, '現代の代表的な企業形態の一つである合同会社').ok).toBe(false);
  });

  it('finds words glued together by lost white space, but not numbers inside numbers', () => {
    expect(compareTexts('Page 2 of 5, total of registered records', 'PagePAGE 2 of 5, totalof registered records').ok).toBe(true);
    expect(compareTexts('Sheet 2025 of the register', 'Sheet 12025 of the register').ok).toBe(false);
  });
});

describe('compareTexts: words the rendition joined', () => {
  it('accepts a code whose hyphen was lost in a table cell even when its parts occur elsewhere', () => {
    const source = 'Item 01 of the list. Code ТЕРм08-01-081-02 applies. Price 081 tenge.';
    expect(compareTexts(source, 'Item 01 of the list. Code ТЕРм08-01081-02 applies. Price 081 tenge.').ok).toBe(true);
    expect(compareTexts(source, 'Item 01 of the list. Code ТЕРм08-01091-02 applies. Price 081 tenge.').ok).toBe(false);
  });

  it('finds a word the rendition split in two or three, the last rendition word alone included', () => {
    expect(compareTexts('Архивный фонд организации', 'Архив ный фонд органи за ции').ok).toBe(true);
    expect(compareTexts('Архивный фонд', 'Архив ный фонд').ok).toBe(true);
    expect(compareTexts('Архивный фонд организации', 'Архив ный фонд органи за').ok).toBe(false);
  });
});

describe('compareTexts: words a narrow table cell broke at its edge without a hyphen', () => {
  const source = 'Основной компонент: 100 м2 окрашиваемой поверхности, V=(3,14*0,048*240)/100.';
  // Poppler prints the cells of a row side by side, so the pieces of a broken word are far apart.
  const rendition = 'Основно 100 м2 окрашивае V=(3,14*0,048*24\nй компонент: 0)/100 мой\nповерхнос\nти';
  const stacked = [
    { head: 'Основно', tail: 'й' },
    { head: 'окрашивае', tail: 'мой' },
    { head: 'поверхнос', tail: 'ти' },
    { head: 'V=(3,14*0,048*24', tail: '0)/100' },
  ];

  it('accepts the pieces when the rendition has them stacked in one column (letters and numbers)', () => {
    expect(compareTexts(source, { text: rendition, breaks: stacked })).toMatchObject({ ok: true, missingWords: 0 });
  });

  it('rejects the same pieces when they are not stacked: a lost word is not rebuilt from fragments', () => {
    const r = compareTexts(source, { text: rendition, breaks: [] });
    expect(r.ok).toBe(false);
    expect(r.missingNumbers).toEqual(['240']);
    expect(compareTexts(source, { text: rendition, breaks: stacked.slice(0, 3) })).toMatchObject({ ok: false, reason: 'numbers' });
  });

  it('rejects a changed number even when a break is recorded there', () => {
    const changed = rendition.replace('*24\n', '*25\n');
    expect(compareTexts(source, { text: changed, breaks: [...stacked.slice(0, 3), { head: 'V=(3,14*0,048*25', tail: '0)/100' }] })).toMatchObject({ ok: false, missingNumbers: ['240'] });
  });

  it('uses each piece once: one broken word does not stand for two source words', () => {
    const twice = 'окрашиваемой окрашиваемой';
    // The other cell's text between the pieces, as Poppler prints a table row.
    const text = 'окрашивае Иэмм 17\nмой';
    expect(compareTexts(twice, { text, breaks: [{ head: 'окрашивае', tail: 'мой' }] }).ok).toBe(false);
    expect(compareTexts(`${twice.split(' ')[0]} Иэмм 17`, { text, breaks: [{ head: 'окрашивае', tail: 'мой' }] }).ok).toBe(true);
  });
});
