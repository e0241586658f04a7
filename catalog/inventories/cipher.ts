// The archival cipher (p.181): fonds number – inventory number – case number. Stored as its
// parts and as one code; printed in the reader's language.
import { t, type Language } from '../../common/i18n';

export interface ArchivalCipher {
  fonds: string;
  inventory: string;
  case: number;
  /** "12-1-5": fonds, inventory and case number in that order. */
  code: string;
}

export function cipherOf(fonds: string, inventory: number | string, caseNumber: number): ArchivalCipher {
  const inv = String(inventory);
  return { fonds, inventory: inv, case: caseNumber, code: `${fonds}-${inv}-${caseNumber}` };
}

/** «Қ. 12, т. 1, іс 5» / «Ф. 12, оп. 1, д. 5» / «F. 12, inv. 1, file 5». */
export function cipherText(lang: Language, cipher: Pick<ArchivalCipher, 'fonds' | 'inventory' | 'case'>): string {
  return t(lang, 'inventories.cipher_text', { fonds: cipher.fonds, inventory: cipher.inventory, case: cipher.case });
}
