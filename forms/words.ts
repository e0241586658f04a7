// Numbers in words for the official forms ("цифрами и прописью", App. 26, 30, 32, 33), in
// Kazakh and in Russian, with the counted noun in the right form. Russian numerals agree with
// the noun's gender (один документ, одна страница, одно дело; два / две) and the noun takes
// the singular, the genitive singular or the genitive plural by the last two digits
// (1 дело, 2 дела, 5 дел, 11 дел, 21 дело). A Kazakh noun does not change after a numeral
// (2 (екі) құжат). Written by hand: the forms need exactly this and no library on the
// registries does Kazakh.

export type FormLanguage = 'kk' | 'ru';
export type RussianGender = 'masculine' | 'feminine' | 'neuter';

/** A counted noun: its Kazakh form and its three Russian forms (1, 2–4, 5+) with gender. */
export interface CountedNoun {
  kk: string;
  ru: { one: string; few: string; many: string; gender: RussianGender };
}

/** The nouns the forms count. Each key names a noun; a form may also pass its own CountedNoun. */
export const NOUNS = {
  dossier: { kk: 'іс', ru: { one: 'дело', few: 'дела', many: 'дел', gender: 'neuter' } },
  eDossier: { kk: 'электрондық іс', ru: { one: 'электронное дело', few: 'электронных дела', many: 'электронных дел', gender: 'neuter' } },
  document: { kk: 'құжат', ru: { one: 'документ', few: 'документа', many: 'документов', gender: 'masculine' } },
  eDocument: { kk: 'электрондық құжат', ru: { one: 'электронный документ', few: 'электронных документа', many: 'электронных документов', gender: 'masculine' } },
  storageUnit: { kk: 'сақтау бірлігі', ru: { one: 'единица хранения', few: 'единицы хранения', many: 'единиц хранения', gender: 'feminine' } },
  file: { kk: 'файл', ru: { one: 'файл', few: 'файла', many: 'файлов', gender: 'masculine' } },
  storedObject: { kk: 'объект', ru: { one: 'объект', few: 'объекта', many: 'объектов', gender: 'masculine' } },
  page: { kk: 'бет', ru: { one: 'страница', few: 'страницы', many: 'страниц', gender: 'feminine' } },
  sheet: { kk: 'парақ', ru: { one: 'лист', few: 'листа', many: 'листов', gender: 'masculine' } },
  byte: { kk: 'байт', ru: { one: 'байт', few: 'байта', many: 'байтов', gender: 'masculine' } },
  year: { kk: 'жыл', ru: { one: 'год', few: 'года', many: 'лет', gender: 'masculine' } },
} as const satisfies Record<string, CountedNoun>;

export type NounName = keyof typeof NOUNS;

/** Largest number spelled out: 999 999 999 999 (under a trillion, well past any archive count). */
export const MAX_IN_WORDS = 999_999_999_999;

function assertCountable(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_IN_WORDS) {
    throw new RangeError(`numberInWords: ${n} is not a whole number from 0 to ${MAX_IN_WORDS}`);
  }
}

/** Splits into groups of three digits, lowest first: 2 024 → [24, 2]. */
function groups(n: number): number[] {
  const out: number[] = [];
  do {
    out.push(n % 1000);
    n = Math.floor(n / 1000);
  } while (n > 0);
  return out;
}

// ---- Kazakh ----

const KK_ONES = ['', 'бір', 'екі', 'үш', 'төрт', 'бес', 'алты', 'жеті', 'сегіз', 'тоғыз'];
const KK_TENS = ['', 'он', 'жиырма', 'отыз', 'қырық', 'елу', 'алпыс', 'жетпіс', 'сексен', 'тоқсан'];
const KK_SCALES = ['', 'мың', 'миллион', 'миллиард'];

function kkBelowThousand(n: number): string[] {
  const parts: string[] = [];
  const h = Math.floor(n / 100);
  // "жүз" alone is one hundred; "бір жүз" is not used in running text.
  if (h) parts.push(...(h > 1 ? [KK_ONES[h]!] : []), 'жүз');
  const t = Math.floor((n % 100) / 10);
  if (t) parts.push(KK_TENS[t]!);
  if (n % 10) parts.push(KK_ONES[n % 10]!);
  return parts;
}

function kazakh(n: number): string {
  if (n === 0) return 'нөл';
  const parts: string[] = [];
  groups(n).forEach((g, scale) => {
    if (!g) return;
    // "бір мың", "бір миллион": the scale words take their "one" in official totals.
    const words = scale > 0 && g === 1 ? ['бір'] : kkBelowThousand(g);
    parts.unshift(...words, ...(scale ? [KK_SCALES[scale]!] : []));
  });
  return parts.join(' ');
}

// ---- Russian ----

const RU_ONES_M = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const RU_TEENS = ['десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать', 'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать'];
const RU_TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];
const RU_HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'];

function ruUnit(d: number, gender: RussianGender): string {
  if (d === 1) return gender === 'feminine' ? 'одна' : gender === 'neuter' ? 'одно' : 'один';
  if (d === 2) return gender === 'feminine' ? 'две' : 'два';
  return RU_ONES_M[d]!;
}

function ruBelowThousand(n: number, gender: RussianGender): string[] {
  const parts: string[] = [];
  if (Math.floor(n / 100)) parts.push(RU_HUNDREDS[Math.floor(n / 100)]!);
  const rest = n % 100;
  if (rest >= 10 && rest < 20) parts.push(RU_TEENS[rest - 10]!);
  else {
    if (Math.floor(rest / 10)) parts.push(RU_TENS[Math.floor(rest / 10)]!);
    if (rest % 10) parts.push(ruUnit(rest % 10, gender));
  }
  return parts;
}

/** Which Russian form a count takes: 1, 21, 101 → one; 2–4, 22–24 → few; 0, 5–20, 25… → many. */
export function russianPluralForm(n: number): 'one' | 'few' | 'many' {
  const last2 = n % 100;
  const last = n % 10;
  if (last2 >= 11 && last2 <= 14) return 'many';
  if (last === 1) return 'one';
  if (last >= 2 && last <= 4) return 'few';
  return 'many';
}

const RU_SCALES: (CountedNoun['ru'] | null)[] = [
  null,
  { one: 'тысяча', few: 'тысячи', many: 'тысяч', gender: 'feminine' },
  { one: 'миллион', few: 'миллиона', many: 'миллионов', gender: 'masculine' },
  { one: 'миллиард', few: 'миллиарда', many: 'миллиардов', gender: 'masculine' },
];

function russian(n: number, gender: RussianGender): string {
  if (n === 0) return 'ноль';
  const parts: string[] = [];
  groups(n).forEach((g, scale) => {
    if (!g) return;
    const word = RU_SCALES[scale];
    parts.unshift(...ruBelowThousand(g, word ? word.gender : gender), ...(word ? [word[russianPluralForm(g)]] : []));
  });
  return parts.join(' ');
}

/**
 * The number in words: numberInWords(2024, 'kk') → "екі мың жиырма төрт",
 * numberInWords(2, 'ru', 'feminine') → "две". Russian defaults to the masculine form.
 * Throws RangeError for a negative, fractional or too large number (a form never needs one).
 */
export function numberInWords(n: number, lang: FormLanguage, gender: RussianGender = 'masculine'): string {
  assertCountable(n);
  return lang === 'kk' ? kazakh(n) : russian(n, gender);
}

function resolveNoun(noun: NounName | CountedNoun): CountedNoun {
  return typeof noun === 'string' ? NOUNS[noun] : noun;
}

/** The noun in the form the count asks for: nounFor(5, 'ru', 'dossier') → "дел"; Kazakh never changes. */
export function nounFor(n: number, lang: FormLanguage, noun: NounName | CountedNoun): string {
  assertCountable(n);
  const forms = resolveNoun(noun);
  return lang === 'kk' ? forms.kk : forms.ru[russianPluralForm(n)];
}

export interface CountOptions {
  /** false: digits and noun only ("5 дел"); default true: "5 (пять) дел". */
  words?: boolean;
}

/**
 * A count with its noun, as the forms' totals write it:
 * countWithNoun(21, 'ru', 'document') → "21 (двадцать один) документ",
 * countWithNoun(2, 'ru', 'dossier', { words: false }) → "2 дела",
 * countWithNoun(2, 'kk', 'document') → "2 (екі) құжат".
 */
export function countWithNoun(n: number, lang: FormLanguage, noun: NounName | CountedNoun, options: CountOptions = {}): string {
  const forms = resolveNoun(noun);
  const word = nounFor(n, lang, forms);
  if (options.words === false) return `${n} ${word}`;
  return `${n} (${numberInWords(n, lang, forms.ru.gender)}) ${word}`;
}

/**
 * The inventory JSON's totals in words (ingest/dossier/build.ts documentsInWords): the number alone
 * in words, masculine in Russian; a number out of range is written in digits, never thrown.
 */
export function countInWords(n: number, language: FormLanguage): string {
  try {
    return numberInWords(n, language);
  } catch {
    return String(n);
  }
}
