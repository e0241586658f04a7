// A package problem in the reader's words: `exchange.<code>` with the file, the field and the
// problem's own parameters (requirement id, expected and found checksums…).
import { t, type Language } from '../../common/i18n';
import type { BagProblem } from './bagit';
import type { PackageProblem } from './csip-check';

export function problemMessage(lang: Language, p: PackageProblem | BagProblem): string {
  return t(lang, `exchange.${p.code}`, { file: p.file, field: p.field, ...('requirement' in p && p.requirement ? { requirement: p.requirement } : {}), ...(p.params ?? {}) });
}
