import { describe, expect, it } from 'vitest';
import { countInWords, countWithNoun, nounFor, numberInWords } from './index';

const KK: [number, string][] = [
  [0, 'нөл'],
  [1, 'бір'],
  [2, 'екі'],
  [5, 'бес'],
  [11, 'он бір'],
  [21, 'жиырма бір'],
  [22, 'жиырма екі'],
  [101, 'жүз бір'],
  [1000, 'бір мың'],
  [2024, 'екі мың жиырма төрт'],
  [1_000_000, 'бір миллион'],
];

// Russian in each gender: masculine (документ, файл), feminine (страница, единица хранения), neuter (дело).
const RU: [number, string, string, string][] = [
  [0, 'ноль', 'ноль', 'ноль'],
  [1, 'один', 'одна', 'одно'],
  [2, 'два', 'две', 'два'],
  [5, 'пять', 'пять', 'пять'],
  [11, 'одиннадцать', 'одиннадцать', 'одиннадцать'],
  [21, 'двадцать один', 'двадцать одна', 'двадцать одно'],
  [22, 'двадцать два', 'двадцать две', 'двадцать два'],
  [101, 'сто один', 'сто одна', 'сто одно'],
  [1000, 'одна тысяча', 'одна тысяча', 'одна тысяча'],
  [2024, 'две тысячи двадцать четыре', 'две тысячи двадцать четыре', 'две тысячи двадцать четыре'],
  [1_000_000, 'один миллион', 'один миллион', 'один миллион'],
];

describe('numberInWords', () => {
  it.each(KK)('kk %i → %s', (n, words) => {
    expect(numberInWords(n, 'kk')).toBe(words);
  });

  it.each(RU)('ru %i → %s / %s / %s', (n, m, f, neuter) => {
    expect(numberInWords(n, 'ru')).toBe(m);
    expect(numberInWords(n, 'ru', 'masculine')).toBe(m);
    expect(numberInWords(n, 'ru', 'feminine')).toBe(f);
    expect(numberInWords(n, 'ru', 'neuter')).toBe(neuter);
  });

  it('spells the larger scales and the teens inside them', () => {
    expect(numberInWords(2_512_011, 'ru')).toBe('два миллиона пятьсот двенадцать тысяч одиннадцать');
    expect(numberInWords(2_512_011, 'kk')).toBe('екі миллион бес жүз он екі мың он бір');
    expect(numberInWords(11_000, 'ru')).toBe('одиннадцать тысяч');
    expect(numberInWords(21_000, 'ru', 'neuter')).toBe('двадцать одна тысяча');
    expect(numberInWords(3_000_000_000, 'ru')).toBe('три миллиарда');
    expect(numberInWords(999_999_999_999, 'kk')).toBe(
      'тоғыз жүз тоқсан тоғыз миллиард тоғыз жүз тоқсан тоғыз миллион тоғыз жүз тоқсан тоғыз мың тоғыз жүз тоқсан тоғыз',
    );
  });

  it('refuses what a form never counts', () => {
    expect(() => numberInWords(-1, 'ru')).toThrow(RangeError);
    expect(() => numberInWords(1.5, 'kk')).toThrow(RangeError);
    expect(() => numberInWords(1e12, 'kk')).toThrow(RangeError);
    // The inventory's old helper writes digits instead of failing a whole inventory.
    expect(countInWords(-3, 'ru')).toBe('-3');
  });
});

// Expected Russian noun for each count, per noun: [дело, документ, единица хранения, файл, страница].
const RU_NOUNS: Record<number, [string, string, string, string, string]> = {
  0: ['дел', 'документов', 'единиц хранения', 'файлов', 'страниц'],
  1: ['дело', 'документ', 'единица хранения', 'файл', 'страница'],
  2: ['дела', 'документа', 'единицы хранения', 'файла', 'страницы'],
  5: ['дел', 'документов', 'единиц хранения', 'файлов', 'страниц'],
  11: ['дел', 'документов', 'единиц хранения', 'файлов', 'страниц'],
  21: ['дело', 'документ', 'единица хранения', 'файл', 'страница'],
  22: ['дела', 'документа', 'единицы хранения', 'файла', 'страницы'],
  101: ['дело', 'документ', 'единица хранения', 'файл', 'страница'],
  1000: ['дел', 'документов', 'единиц хранения', 'файлов', 'страниц'],
  2024: ['дела', 'документа', 'единицы хранения', 'файла', 'страницы'],
  1_000_000: ['дел', 'документов', 'единиц хранения', 'файлов', 'страниц'],
};
const NOUN_NAMES = ['dossier', 'document', 'storageUnit', 'file', 'page'] as const;
const KK_NOUNS = ['іс', 'құжат', 'сақтау бірлігі', 'файл', 'бет'];

describe('countWithNoun', () => {
  it('writes the examples of the issue', () => {
    expect(countWithNoun(1, 'ru', 'dossier', { words: false })).toBe('1 дело');
    expect(countWithNoun(2, 'ru', 'dossier', { words: false })).toBe('2 дела');
    expect(countWithNoun(5, 'ru', 'dossier', { words: false })).toBe('5 дел');
    expect(countWithNoun(2, 'ru', 'document')).toBe('2 (два) документа');
    expect(countWithNoun(21, 'ru', 'document')).toBe('21 (двадцать один) документ');
    expect(countWithNoun(2, 'kk', 'document')).toBe('2 (екі) құжат');
  });

  it.each(Object.entries(RU_NOUNS))('ru %s with a noun of each gender', (count, expected) => {
    const n = Number(count);
    NOUN_NAMES.forEach((noun, i) => {
      expect(nounFor(n, 'ru', noun)).toBe(expected[i]);
      expect(countWithNoun(n, 'ru', noun, { words: false })).toBe(`${n} ${expected[i]}`);
    });
  });

  it('agrees the numeral with the noun gender in Russian', () => {
    expect(countWithNoun(1, 'ru', 'dossier')).toBe('1 (одно) дело');
    expect(countWithNoun(21, 'ru', 'dossier')).toBe('21 (двадцать одно) дело');
    expect(countWithNoun(22, 'ru', 'page')).toBe('22 (двадцать две) страницы');
    expect(countWithNoun(101, 'ru', 'storageUnit')).toBe('101 (сто одна) единица хранения');
    expect(countWithNoun(2, 'ru', 'file')).toBe('2 (два) файла');
    expect(countWithNoun(11, 'ru', 'document')).toBe('11 (одиннадцать) документов');
    expect(countWithNoun(0, 'ru', 'dossier')).toBe('0 (ноль) дел');
    expect(countWithNoun(1000, 'ru', 'page')).toBe('1000 (одна тысяча) страниц');
    expect(countWithNoun(2024, 'ru', 'dossier')).toBe('2024 (две тысячи двадцать четыре) дела');
    expect(countWithNoun(1_000_000, 'ru', 'document')).toBe('1000000 (один миллион) документов');
    expect(countWithNoun(1_000_001, 'ru', 'dossier')).toBe('1000001 (один миллион одно) дело');
  });

  it.each(KK.map(([n, words]) => [n, words] as const))('kk %i: the noun does not change', (n, words) => {
    NOUN_NAMES.forEach((noun, i) => {
      expect(countWithNoun(n, 'kk', noun)).toBe(`${n} (${words}) ${KK_NOUNS[i]}`);
    });
  });

  it('takes a noun the list does not have', () => {
    const act = { kk: 'акт', ru: { one: 'акт', few: 'акта', many: 'актов', gender: 'masculine' } } as const;
    expect(countWithNoun(3, 'ru', act)).toBe('3 (три) акта');
    expect(countWithNoun(3, 'kk', act)).toBe('3 (үш) акт');
  });
});
