// Counts in words for the inventory totals ("in digits and words", App. 32/33), Kazakh and
// Russian, up to 999 999 — far beyond the 80-files and dossier sizes seen in practice.

const KK_ONES = ['', 'бір', 'екі', 'үш', 'төрт', 'бес', 'алты', 'жеті', 'сегіз', 'тоғыз'];
const KK_TENS = ['', 'он', 'жиырма', 'отыз', 'қырық', 'елу', 'алпыс', 'жетпіс', 'сексен', 'тоқсан'];

function kkBelowThousand(n: number): string[] {
  const parts: string[] = [];
  const h = Math.floor(n / 100);
  if (h) parts.push(...(h > 1 ? [KK_ONES[h]!] : []), 'жүз');
  const t = Math.floor((n % 100) / 10);
  if (t) parts.push(KK_TENS[t]!);
  if (n % 10) parts.push(KK_ONES[n % 10]!);
  return parts;
}

export function kazakhWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999_999) return String(n);
  if (n === 0) return 'нөл';
  const th = Math.floor(n / 1000);
  const parts = [...(th ? [...(th > 1 ? kkBelowThousand(th) : ['бір']), 'мың'] : []), ...kkBelowThousand(n % 1000)];
  return parts.join(' ');
}

const RU_ONES_M = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const RU_ONES_F = ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const RU_TEENS = ['десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать', 'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать'];
const RU_TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];
const RU_HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'];

function ruBelowThousand(n: number, feminine: boolean): string[] {
  const parts: string[] = [];
  if (Math.floor(n / 100)) parts.push(RU_HUNDREDS[Math.floor(n / 100)]!);
  const rest = n % 100;
  if (rest >= 10 && rest < 20) parts.push(RU_TEENS[rest - 10]!);
  else {
    if (Math.floor(rest / 10)) parts.push(RU_TENS[Math.floor(rest / 10)]!);
    if (rest % 10) parts.push((feminine ? RU_ONES_F : RU_ONES_M)[rest % 10]!);
  }
  return parts;
}

function ruThousands(n: number): string {
  const last2 = n % 100;
  const last = n % 10;
  if (last2 >= 11 && last2 <= 14) return 'тысяч';
  if (last === 1) return 'тысяча';
  if (last >= 2 && last <= 4) return 'тысячи';
  return 'тысяч';
}

export function russianWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999_999) return String(n);
  if (n === 0) return 'ноль';
  const th = Math.floor(n / 1000);
  const parts = [...(th ? [...ruBelowThousand(th, true), ruThousands(th)] : []), ...ruBelowThousand(n % 1000, false)];
  return parts.join(' ');
}

export function countInWords(n: number, language: 'kk' | 'ru'): string {
  return language === 'kk' ? kazakhWords(n) : russianWords(n);
}
