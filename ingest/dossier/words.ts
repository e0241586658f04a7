// Moved to forms/words.ts (one place for what every official form uses); this re-export keeps
// the inventory builder's imports working.
export { countInWords, numberInWords } from '../../forms/words';

import { countInWords } from '../../forms/words';

export const kazakhWords = (n: number): string => countInWords(n, 'kk');
export const russianWords = (n: number): string => countInWords(n, 'ru');
